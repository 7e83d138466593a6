// Code generated from grammar/Sluice.g4 by ANTLR 4.13.1. DO NOT EDIT.

package gen // Sluice
import "github.com/antlr4-go/antlr/v4"

type BaseSluiceVisitor struct {
	*antlr.BaseParseTreeVisitor
}

func (v *BaseSluiceVisitor) VisitStatements(ctx *StatementsContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitSingleStatement(ctx *SingleStatementContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitSingleExpression(ctx *SingleExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitQueryStatement(ctx *QueryStatementContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitListTopics(ctx *ListTopicsContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitListStreams(ctx *ListStreamsContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitListTables(ctx *ListTablesContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitListFunctions(ctx *ListFunctionsContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitListConnectors(ctx *ListConnectorsContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitListConnectorPlugins(ctx *ListConnectorPluginsContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitListTypes(ctx *ListTypesContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitListVariables(ctx *ListVariablesContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitListQueries(ctx *ListQueriesContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitListProperties(ctx *ListPropertiesContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitDescribeSources(ctx *DescribeSourcesContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitDescribeFunction(ctx *DescribeFunctionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitDescribeConnector(ctx *DescribeConnectorContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitDescribeSource(ctx *DescribeSourceContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitDescribeSourceExtended(ctx *DescribeSourceExtendedContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitPrintTopic(ctx *PrintTopicContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitTerminateQuery(ctx *TerminateQueryContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitPauseQuery(ctx *PauseQueryContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitResumeQuery(ctx *ResumeQueryContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitSetProperty(ctx *SetPropertyContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitAlterSystemProperty(ctx *AlterSystemPropertyContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitUnsetProperty(ctx *UnsetPropertyContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitDefineVariable(ctx *DefineVariableContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitUndefineVariable(ctx *UndefineVariableContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitExplain(ctx *ExplainContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitCreateStream(ctx *CreateStreamContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitCreateStreamAs(ctx *CreateStreamAsContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitCreateTable(ctx *CreateTableContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitCreateTableAs(ctx *CreateTableAsContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitCreateConnector(ctx *CreateConnectorContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitInsertInto(ctx *InsertIntoContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitInsertValues(ctx *InsertValuesContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitDropStream(ctx *DropStreamContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitDropTable(ctx *DropTableContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitDropConnector(ctx *DropConnectorContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitDropType(ctx *DropTypeContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitRegisterType(ctx *RegisterTypeContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitAlterSource(ctx *AlterSourceContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitAssertTopic(ctx *AssertTopicContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitAssertSchema(ctx *AssertSchemaContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitRunScript(ctx *RunScriptContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitQuery(ctx *QueryContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitResultMaterialization(ctx *ResultMaterializationContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitLimitClause(ctx *LimitClauseContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitPrintClause(ctx *PrintClauseContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitIntervalClause(ctx *IntervalClauseContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitTimeoutClause(ctx *TimeoutClauseContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitAlterOption(ctx *AlterOptionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitTableElements(ctx *TableElementsContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitTableElement(ctx *TableElementContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitPrimaryKeyConstraint(ctx *PrimaryKeyConstraintContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitKeyConstraint(ctx *KeyConstraintContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitHeadersConstraint(ctx *HeadersConstraintContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitHeaderConstraint(ctx *HeaderConstraintContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitWithProperties(ctx *WithPropertiesContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitProperty(ctx *PropertyContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitIdentifierOrString(ctx *IdentifierOrStringContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitSelectSingle(ctx *SelectSingleContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitSelectAllFrom(ctx *SelectAllFromContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitSelectStructAll(ctx *SelectStructAllContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitSelectAll(ctx *SelectAllContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitJoinRelation(ctx *JoinRelationContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitSingleRelation(ctx *SingleRelationContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitJoinedSource(ctx *JoinedSourceContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitInnerJoin(ctx *InnerJoinContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitFullJoin(ctx *FullJoinContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitLeftJoin(ctx *LeftJoinContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitRightJoin(ctx *RightJoinContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitJoinWindow(ctx *JoinWindowContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitSingleJoinWindow(ctx *SingleJoinWindowContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitBeforeAfterJoinWindow(ctx *BeforeAfterJoinWindowContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitAliasedRelation(ctx *AliasedRelationContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitSourceName(ctx *SourceNameContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitWindowExpression(ctx *WindowExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitTumblingWindow(ctx *TumblingWindowContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitHoppingWindow(ctx *HoppingWindowContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitSessionWindow(ctx *SessionWindowContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitWindowOptions(ctx *WindowOptionsContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitRetentionOption(ctx *RetentionOptionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitGraceOption(ctx *GraceOptionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitGracePeriodClause(ctx *GracePeriodClauseContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitDuration(ctx *DurationContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitTimeUnit(ctx *TimeUnitContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitGroupBy(ctx *GroupByContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitPartitionBy(ctx *PartitionByContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitExpression(ctx *ExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitLogicalNot(ctx *LogicalNotContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitLogicalAnd(ctx *LogicalAndContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitPredicatedExpression(ctx *PredicatedExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitLogicalOr(ctx *LogicalOrContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitPredicated(ctx *PredicatedContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitComparisonPredicate(ctx *ComparisonPredicateContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitBetweenPredicate(ctx *BetweenPredicateContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitInPredicate(ctx *InPredicateContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitLikePredicate(ctx *LikePredicateContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitNullPredicate(ctx *NullPredicateContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitDistinctFromPredicate(ctx *DistinctFromPredicateContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitConcatenation(ctx *ConcatenationContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitArithmeticMultiplicative(ctx *ArithmeticMultiplicativeContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitArithmeticAdditive(ctx *ArithmeticAdditiveContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitValueDefault(ctx *ValueDefaultContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitArithmeticUnary(ctx *ArithmeticUnaryContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitSearchedCase(ctx *SearchedCaseContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitCast(ctx *CastContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitParenthesizedExpression(ctx *ParenthesizedExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitStructConstructor(ctx *StructConstructorContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitLiteralExpression(ctx *LiteralExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitSubscript(ctx *SubscriptContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitMapConstructor(ctx *MapConstructorContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitFunctionCallStar(ctx *FunctionCallStarContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitSimpleCase(ctx *SimpleCaseContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitQualifiedColumnReference(ctx *QualifiedColumnReferenceContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitArrayConstructor(ctx *ArrayConstructorContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitFunctionCall(ctx *FunctionCallContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitDereference(ctx *DereferenceContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitColumnReference(ctx *ColumnReferenceContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitWhenClause(ctx *WhenClauseContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitMapEntry(ctx *MapEntryContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitStructField(ctx *StructFieldContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitFunctionArgument(ctx *FunctionArgumentContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitSingleParamLambda(ctx *SingleParamLambdaContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitMultiParamLambda(ctx *MultiParamLambdaContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitFunctionName(ctx *FunctionNameContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitComparisonOperator(ctx *ComparisonOperatorContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitNullLiteral(ctx *NullLiteralContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitBooleanLiteral(ctx *BooleanLiteralContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitNumericLiteral(ctx *NumericLiteralContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitStringLiteral(ctx *StringLiteralContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitVariableLiteral(ctx *VariableLiteralContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitBooleanValue(ctx *BooleanValueContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitDecimalNumber(ctx *DecimalNumberContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitFloatingNumber(ctx *FloatingNumberContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitIntegerNumber(ctx *IntegerNumberContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitIntegerLiteral(ctx *IntegerLiteralContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitString(ctx *StringContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitArrayType(ctx *ArrayTypeContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitMapType(ctx *MapTypeContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitStructType(ctx *StructTypeContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitEmptyStructType(ctx *EmptyStructTypeContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitNamedType(ctx *NamedTypeContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitStructTypeField(ctx *StructTypeFieldContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitTypeParameter(ctx *TypeParameterContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitVariableName(ctx *VariableNameContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitUnquotedIdentifier(ctx *UnquotedIdentifierContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitQuotedIdentifier(ctx *QuotedIdentifierContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitBackQuotedIdentifier(ctx *BackQuotedIdentifierContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitDigitIdentifier(ctx *DigitIdentifierContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitVariableIdentifier(ctx *VariableIdentifierContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitNonReservedIdentifier(ctx *NonReservedIdentifierContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseSluiceVisitor) VisitNonReserved(ctx *NonReservedContext) interface{} {
	return v.VisitChildren(ctx)
}
