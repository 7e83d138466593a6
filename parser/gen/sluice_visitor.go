// Code generated from grammar/Sluice.g4 by ANTLR 4.13.1. DO NOT EDIT.

package gen // Sluice
import "github.com/antlr4-go/antlr/v4"

// A complete Visitor for a parse tree produced by SluiceParser.
type SluiceVisitor interface {
	antlr.ParseTreeVisitor

	// Visit a parse tree produced by SluiceParser#statements.
	VisitStatements(ctx *StatementsContext) interface{}

	// Visit a parse tree produced by SluiceParser#singleStatement.
	VisitSingleStatement(ctx *SingleStatementContext) interface{}

	// Visit a parse tree produced by SluiceParser#singleExpression.
	VisitSingleExpression(ctx *SingleExpressionContext) interface{}

	// Visit a parse tree produced by SluiceParser#QueryStatement.
	VisitQueryStatement(ctx *QueryStatementContext) interface{}

	// Visit a parse tree produced by SluiceParser#ListTopics.
	VisitListTopics(ctx *ListTopicsContext) interface{}

	// Visit a parse tree produced by SluiceParser#ListStreams.
	VisitListStreams(ctx *ListStreamsContext) interface{}

	// Visit a parse tree produced by SluiceParser#ListTables.
	VisitListTables(ctx *ListTablesContext) interface{}

	// Visit a parse tree produced by SluiceParser#ListFunctions.
	VisitListFunctions(ctx *ListFunctionsContext) interface{}

	// Visit a parse tree produced by SluiceParser#ListConnectors.
	VisitListConnectors(ctx *ListConnectorsContext) interface{}

	// Visit a parse tree produced by SluiceParser#ListConnectorPlugins.
	VisitListConnectorPlugins(ctx *ListConnectorPluginsContext) interface{}

	// Visit a parse tree produced by SluiceParser#ListTypes.
	VisitListTypes(ctx *ListTypesContext) interface{}

	// Visit a parse tree produced by SluiceParser#ListVariables.
	VisitListVariables(ctx *ListVariablesContext) interface{}

	// Visit a parse tree produced by SluiceParser#ListQueries.
	VisitListQueries(ctx *ListQueriesContext) interface{}

	// Visit a parse tree produced by SluiceParser#ListProperties.
	VisitListProperties(ctx *ListPropertiesContext) interface{}

	// Visit a parse tree produced by SluiceParser#DescribeSources.
	VisitDescribeSources(ctx *DescribeSourcesContext) interface{}

	// Visit a parse tree produced by SluiceParser#DescribeFunction.
	VisitDescribeFunction(ctx *DescribeFunctionContext) interface{}

	// Visit a parse tree produced by SluiceParser#DescribeConnector.
	VisitDescribeConnector(ctx *DescribeConnectorContext) interface{}

	// Visit a parse tree produced by SluiceParser#DescribeSource.
	VisitDescribeSource(ctx *DescribeSourceContext) interface{}

	// Visit a parse tree produced by SluiceParser#DescribeSourceExtended.
	VisitDescribeSourceExtended(ctx *DescribeSourceExtendedContext) interface{}

	// Visit a parse tree produced by SluiceParser#PrintTopic.
	VisitPrintTopic(ctx *PrintTopicContext) interface{}

	// Visit a parse tree produced by SluiceParser#TerminateQuery.
	VisitTerminateQuery(ctx *TerminateQueryContext) interface{}

	// Visit a parse tree produced by SluiceParser#PauseQuery.
	VisitPauseQuery(ctx *PauseQueryContext) interface{}

	// Visit a parse tree produced by SluiceParser#ResumeQuery.
	VisitResumeQuery(ctx *ResumeQueryContext) interface{}

	// Visit a parse tree produced by SluiceParser#SetProperty.
	VisitSetProperty(ctx *SetPropertyContext) interface{}

	// Visit a parse tree produced by SluiceParser#AlterSystemProperty.
	VisitAlterSystemProperty(ctx *AlterSystemPropertyContext) interface{}

	// Visit a parse tree produced by SluiceParser#UnsetProperty.
	VisitUnsetProperty(ctx *UnsetPropertyContext) interface{}

	// Visit a parse tree produced by SluiceParser#DefineVariable.
	VisitDefineVariable(ctx *DefineVariableContext) interface{}

	// Visit a parse tree produced by SluiceParser#UndefineVariable.
	VisitUndefineVariable(ctx *UndefineVariableContext) interface{}

	// Visit a parse tree produced by SluiceParser#Explain.
	VisitExplain(ctx *ExplainContext) interface{}

	// Visit a parse tree produced by SluiceParser#CreateStream.
	VisitCreateStream(ctx *CreateStreamContext) interface{}

	// Visit a parse tree produced by SluiceParser#CreateStreamAs.
	VisitCreateStreamAs(ctx *CreateStreamAsContext) interface{}

	// Visit a parse tree produced by SluiceParser#CreateTable.
	VisitCreateTable(ctx *CreateTableContext) interface{}

	// Visit a parse tree produced by SluiceParser#CreateTableAs.
	VisitCreateTableAs(ctx *CreateTableAsContext) interface{}

	// Visit a parse tree produced by SluiceParser#CreateConnector.
	VisitCreateConnector(ctx *CreateConnectorContext) interface{}

	// Visit a parse tree produced by SluiceParser#InsertInto.
	VisitInsertInto(ctx *InsertIntoContext) interface{}

	// Visit a parse tree produced by SluiceParser#InsertValues.
	VisitInsertValues(ctx *InsertValuesContext) interface{}

	// Visit a parse tree produced by SluiceParser#DropStream.
	VisitDropStream(ctx *DropStreamContext) interface{}

	// Visit a parse tree produced by SluiceParser#DropTable.
	VisitDropTable(ctx *DropTableContext) interface{}

	// Visit a parse tree produced by SluiceParser#DropConnector.
	VisitDropConnector(ctx *DropConnectorContext) interface{}

	// Visit a parse tree produced by SluiceParser#DropType.
	VisitDropType(ctx *DropTypeContext) interface{}

	// Visit a parse tree produced by SluiceParser#RegisterType.
	VisitRegisterType(ctx *RegisterTypeContext) interface{}

	// Visit a parse tree produced by SluiceParser#AlterSource.
	VisitAlterSource(ctx *AlterSourceContext) interface{}

	// Visit a parse tree produced by SluiceParser#AssertTopic.
	VisitAssertTopic(ctx *AssertTopicContext) interface{}

	// Visit a parse tree produced by SluiceParser#AssertSchema.
	VisitAssertSchema(ctx *AssertSchemaContext) interface{}

	// Visit a parse tree produced by SluiceParser#RunScript.
	VisitRunScript(ctx *RunScriptContext) interface{}

	// Visit a parse tree produced by SluiceParser#query.
	VisitQuery(ctx *QueryContext) interface{}

	// Visit a parse tree produced by SluiceParser#resultMaterialization.
	VisitResultMaterialization(ctx *ResultMaterializationContext) interface{}

	// Visit a parse tree produced by SluiceParser#limitClause.
	VisitLimitClause(ctx *LimitClauseContext) interface{}

	// Visit a parse tree produced by SluiceParser#printClause.
	VisitPrintClause(ctx *PrintClauseContext) interface{}

	// Visit a parse tree produced by SluiceParser#intervalClause.
	VisitIntervalClause(ctx *IntervalClauseContext) interface{}

	// Visit a parse tree produced by SluiceParser#timeoutClause.
	VisitTimeoutClause(ctx *TimeoutClauseContext) interface{}

	// Visit a parse tree produced by SluiceParser#alterOption.
	VisitAlterOption(ctx *AlterOptionContext) interface{}

	// Visit a parse tree produced by SluiceParser#tableElements.
	VisitTableElements(ctx *TableElementsContext) interface{}

	// Visit a parse tree produced by SluiceParser#tableElement.
	VisitTableElement(ctx *TableElementContext) interface{}

	// Visit a parse tree produced by SluiceParser#PrimaryKeyConstraint.
	VisitPrimaryKeyConstraint(ctx *PrimaryKeyConstraintContext) interface{}

	// Visit a parse tree produced by SluiceParser#KeyConstraint.
	VisitKeyConstraint(ctx *KeyConstraintContext) interface{}

	// Visit a parse tree produced by SluiceParser#HeadersConstraint.
	VisitHeadersConstraint(ctx *HeadersConstraintContext) interface{}

	// Visit a parse tree produced by SluiceParser#HeaderConstraint.
	VisitHeaderConstraint(ctx *HeaderConstraintContext) interface{}

	// Visit a parse tree produced by SluiceParser#withProperties.
	VisitWithProperties(ctx *WithPropertiesContext) interface{}

	// Visit a parse tree produced by SluiceParser#property.
	VisitProperty(ctx *PropertyContext) interface{}

	// Visit a parse tree produced by SluiceParser#identifierOrString.
	VisitIdentifierOrString(ctx *IdentifierOrStringContext) interface{}

	// Visit a parse tree produced by SluiceParser#SelectSingle.
	VisitSelectSingle(ctx *SelectSingleContext) interface{}

	// Visit a parse tree produced by SluiceParser#SelectAllFrom.
	VisitSelectAllFrom(ctx *SelectAllFromContext) interface{}

	// Visit a parse tree produced by SluiceParser#SelectStructAll.
	VisitSelectStructAll(ctx *SelectStructAllContext) interface{}

	// Visit a parse tree produced by SluiceParser#SelectAll.
	VisitSelectAll(ctx *SelectAllContext) interface{}

	// Visit a parse tree produced by SluiceParser#JoinRelation.
	VisitJoinRelation(ctx *JoinRelationContext) interface{}

	// Visit a parse tree produced by SluiceParser#SingleRelation.
	VisitSingleRelation(ctx *SingleRelationContext) interface{}

	// Visit a parse tree produced by SluiceParser#joinedSource.
	VisitJoinedSource(ctx *JoinedSourceContext) interface{}

	// Visit a parse tree produced by SluiceParser#InnerJoin.
	VisitInnerJoin(ctx *InnerJoinContext) interface{}

	// Visit a parse tree produced by SluiceParser#FullJoin.
	VisitFullJoin(ctx *FullJoinContext) interface{}

	// Visit a parse tree produced by SluiceParser#LeftJoin.
	VisitLeftJoin(ctx *LeftJoinContext) interface{}

	// Visit a parse tree produced by SluiceParser#RightJoin.
	VisitRightJoin(ctx *RightJoinContext) interface{}

	// Visit a parse tree produced by SluiceParser#joinWindow.
	VisitJoinWindow(ctx *JoinWindowContext) interface{}

	// Visit a parse tree produced by SluiceParser#SingleJoinWindow.
	VisitSingleJoinWindow(ctx *SingleJoinWindowContext) interface{}

	// Visit a parse tree produced by SluiceParser#BeforeAfterJoinWindow.
	VisitBeforeAfterJoinWindow(ctx *BeforeAfterJoinWindowContext) interface{}

	// Visit a parse tree produced by SluiceParser#aliasedRelation.
	VisitAliasedRelation(ctx *AliasedRelationContext) interface{}

	// Visit a parse tree produced by SluiceParser#sourceName.
	VisitSourceName(ctx *SourceNameContext) interface{}

	// Visit a parse tree produced by SluiceParser#windowExpression.
	VisitWindowExpression(ctx *WindowExpressionContext) interface{}

	// Visit a parse tree produced by SluiceParser#TumblingWindow.
	VisitTumblingWindow(ctx *TumblingWindowContext) interface{}

	// Visit a parse tree produced by SluiceParser#HoppingWindow.
	VisitHoppingWindow(ctx *HoppingWindowContext) interface{}

	// Visit a parse tree produced by SluiceParser#SessionWindow.
	VisitSessionWindow(ctx *SessionWindowContext) interface{}

	// Visit a parse tree produced by SluiceParser#windowOptions.
	VisitWindowOptions(ctx *WindowOptionsContext) interface{}

	// Visit a parse tree produced by SluiceParser#RetentionOption.
	VisitRetentionOption(ctx *RetentionOptionContext) interface{}

	// Visit a parse tree produced by SluiceParser#GraceOption.
	VisitGraceOption(ctx *GraceOptionContext) interface{}

	// Visit a parse tree produced by SluiceParser#gracePeriodClause.
	VisitGracePeriodClause(ctx *GracePeriodClauseContext) interface{}

	// Visit a parse tree produced by SluiceParser#duration.
	VisitDuration(ctx *DurationContext) interface{}

	// Visit a parse tree produced by SluiceParser#timeUnit.
	VisitTimeUnit(ctx *TimeUnitContext) interface{}

	// Visit a parse tree produced by SluiceParser#groupBy.
	VisitGroupBy(ctx *GroupByContext) interface{}

	// Visit a parse tree produced by SluiceParser#partitionBy.
	VisitPartitionBy(ctx *PartitionByContext) interface{}

	// Visit a parse tree produced by SluiceParser#expression.
	VisitExpression(ctx *ExpressionContext) interface{}

	// Visit a parse tree produced by SluiceParser#LogicalNot.
	VisitLogicalNot(ctx *LogicalNotContext) interface{}

	// Visit a parse tree produced by SluiceParser#LogicalAnd.
	VisitLogicalAnd(ctx *LogicalAndContext) interface{}

	// Visit a parse tree produced by SluiceParser#PredicatedExpression.
	VisitPredicatedExpression(ctx *PredicatedExpressionContext) interface{}

	// Visit a parse tree produced by SluiceParser#LogicalOr.
	VisitLogicalOr(ctx *LogicalOrContext) interface{}

	// Visit a parse tree produced by SluiceParser#predicated.
	VisitPredicated(ctx *PredicatedContext) interface{}

	// Visit a parse tree produced by SluiceParser#ComparisonPredicate.
	VisitComparisonPredicate(ctx *ComparisonPredicateContext) interface{}

	// Visit a parse tree produced by SluiceParser#BetweenPredicate.
	VisitBetweenPredicate(ctx *BetweenPredicateContext) interface{}

	// Visit a parse tree produced by SluiceParser#InPredicate.
	VisitInPredicate(ctx *InPredicateContext) interface{}

	// Visit a parse tree produced by SluiceParser#LikePredicate.
	VisitLikePredicate(ctx *LikePredicateContext) interface{}

	// Visit a parse tree produced by SluiceParser#NullPredicate.
	VisitNullPredicate(ctx *NullPredicateContext) interface{}

	// Visit a parse tree produced by SluiceParser#DistinctFromPredicate.
	VisitDistinctFromPredicate(ctx *DistinctFromPredicateContext) interface{}

	// Visit a parse tree produced by SluiceParser#Concatenation.
	VisitConcatenation(ctx *ConcatenationContext) interface{}

	// Visit a parse tree produced by SluiceParser#ArithmeticMultiplicative.
	VisitArithmeticMultiplicative(ctx *ArithmeticMultiplicativeContext) interface{}

	// Visit a parse tree produced by SluiceParser#ArithmeticAdditive.
	VisitArithmeticAdditive(ctx *ArithmeticAdditiveContext) interface{}

	// Visit a parse tree produced by SluiceParser#ValueDefault.
	VisitValueDefault(ctx *ValueDefaultContext) interface{}

	// Visit a parse tree produced by SluiceParser#ArithmeticUnary.
	VisitArithmeticUnary(ctx *ArithmeticUnaryContext) interface{}

	// Visit a parse tree produced by SluiceParser#SearchedCase.
	VisitSearchedCase(ctx *SearchedCaseContext) interface{}

	// Visit a parse tree produced by SluiceParser#Cast.
	VisitCast(ctx *CastContext) interface{}

	// Visit a parse tree produced by SluiceParser#ParenthesizedExpression.
	VisitParenthesizedExpression(ctx *ParenthesizedExpressionContext) interface{}

	// Visit a parse tree produced by SluiceParser#StructConstructor.
	VisitStructConstructor(ctx *StructConstructorContext) interface{}

	// Visit a parse tree produced by SluiceParser#LiteralExpression.
	VisitLiteralExpression(ctx *LiteralExpressionContext) interface{}

	// Visit a parse tree produced by SluiceParser#Subscript.
	VisitSubscript(ctx *SubscriptContext) interface{}

	// Visit a parse tree produced by SluiceParser#MapConstructor.
	VisitMapConstructor(ctx *MapConstructorContext) interface{}

	// Visit a parse tree produced by SluiceParser#FunctionCallStar.
	VisitFunctionCallStar(ctx *FunctionCallStarContext) interface{}

	// Visit a parse tree produced by SluiceParser#SimpleCase.
	VisitSimpleCase(ctx *SimpleCaseContext) interface{}

	// Visit a parse tree produced by SluiceParser#QualifiedColumnReference.
	VisitQualifiedColumnReference(ctx *QualifiedColumnReferenceContext) interface{}

	// Visit a parse tree produced by SluiceParser#ArrayConstructor.
	VisitArrayConstructor(ctx *ArrayConstructorContext) interface{}

	// Visit a parse tree produced by SluiceParser#FunctionCall.
	VisitFunctionCall(ctx *FunctionCallContext) interface{}

	// Visit a parse tree produced by SluiceParser#Dereference.
	VisitDereference(ctx *DereferenceContext) interface{}

	// Visit a parse tree produced by SluiceParser#ColumnReference.
	VisitColumnReference(ctx *ColumnReferenceContext) interface{}

	// Visit a parse tree produced by SluiceParser#whenClause.
	VisitWhenClause(ctx *WhenClauseContext) interface{}

	// Visit a parse tree produced by SluiceParser#mapEntry.
	VisitMapEntry(ctx *MapEntryContext) interface{}

	// Visit a parse tree produced by SluiceParser#structField.
	VisitStructField(ctx *StructFieldContext) interface{}

	// Visit a parse tree produced by SluiceParser#functionArgument.
	VisitFunctionArgument(ctx *FunctionArgumentContext) interface{}

	// Visit a parse tree produced by SluiceParser#SingleParamLambda.
	VisitSingleParamLambda(ctx *SingleParamLambdaContext) interface{}

	// Visit a parse tree produced by SluiceParser#MultiParamLambda.
	VisitMultiParamLambda(ctx *MultiParamLambdaContext) interface{}

	// Visit a parse tree produced by SluiceParser#functionName.
	VisitFunctionName(ctx *FunctionNameContext) interface{}

	// Visit a parse tree produced by SluiceParser#comparisonOperator.
	VisitComparisonOperator(ctx *ComparisonOperatorContext) interface{}

	// Visit a parse tree produced by SluiceParser#NullLiteral.
	VisitNullLiteral(ctx *NullLiteralContext) interface{}

	// Visit a parse tree produced by SluiceParser#BooleanLiteral.
	VisitBooleanLiteral(ctx *BooleanLiteralContext) interface{}

	// Visit a parse tree produced by SluiceParser#NumericLiteral.
	VisitNumericLiteral(ctx *NumericLiteralContext) interface{}

	// Visit a parse tree produced by SluiceParser#StringLiteral.
	VisitStringLiteral(ctx *StringLiteralContext) interface{}

	// Visit a parse tree produced by SluiceParser#VariableLiteral.
	VisitVariableLiteral(ctx *VariableLiteralContext) interface{}

	// Visit a parse tree produced by SluiceParser#booleanValue.
	VisitBooleanValue(ctx *BooleanValueContext) interface{}

	// Visit a parse tree produced by SluiceParser#DecimalNumber.
	VisitDecimalNumber(ctx *DecimalNumberContext) interface{}

	// Visit a parse tree produced by SluiceParser#FloatingNumber.
	VisitFloatingNumber(ctx *FloatingNumberContext) interface{}

	// Visit a parse tree produced by SluiceParser#IntegerNumber.
	VisitIntegerNumber(ctx *IntegerNumberContext) interface{}

	// Visit a parse tree produced by SluiceParser#integerLiteral.
	VisitIntegerLiteral(ctx *IntegerLiteralContext) interface{}

	// Visit a parse tree produced by SluiceParser#string.
	VisitString(ctx *StringContext) interface{}

	// Visit a parse tree produced by SluiceParser#ArrayType.
	VisitArrayType(ctx *ArrayTypeContext) interface{}

	// Visit a parse tree produced by SluiceParser#MapType.
	VisitMapType(ctx *MapTypeContext) interface{}

	// Visit a parse tree produced by SluiceParser#StructType.
	VisitStructType(ctx *StructTypeContext) interface{}

	// Visit a parse tree produced by SluiceParser#EmptyStructType.
	VisitEmptyStructType(ctx *EmptyStructTypeContext) interface{}

	// Visit a parse tree produced by SluiceParser#NamedType.
	VisitNamedType(ctx *NamedTypeContext) interface{}

	// Visit a parse tree produced by SluiceParser#structTypeField.
	VisitStructTypeField(ctx *StructTypeFieldContext) interface{}

	// Visit a parse tree produced by SluiceParser#typeParameter.
	VisitTypeParameter(ctx *TypeParameterContext) interface{}

	// Visit a parse tree produced by SluiceParser#variableName.
	VisitVariableName(ctx *VariableNameContext) interface{}

	// Visit a parse tree produced by SluiceParser#UnquotedIdentifier.
	VisitUnquotedIdentifier(ctx *UnquotedIdentifierContext) interface{}

	// Visit a parse tree produced by SluiceParser#QuotedIdentifier.
	VisitQuotedIdentifier(ctx *QuotedIdentifierContext) interface{}

	// Visit a parse tree produced by SluiceParser#BackQuotedIdentifier.
	VisitBackQuotedIdentifier(ctx *BackQuotedIdentifierContext) interface{}

	// Visit a parse tree produced by SluiceParser#DigitIdentifier.
	VisitDigitIdentifier(ctx *DigitIdentifierContext) interface{}

	// Visit a parse tree produced by SluiceParser#VariableIdentifier.
	VisitVariableIdentifier(ctx *VariableIdentifierContext) interface{}

	// Visit a parse tree produced by SluiceParser#NonReservedIdentifier.
	VisitNonReservedIdentifier(ctx *NonReservedIdentifierContext) interface{}

	// Visit a parse tree produced by SluiceParser#nonReserved.
	VisitNonReserved(ctx *NonReservedContext) interface{}
}
