// Sluice's grammar for the ksqlDB SQL dialect.
//
// Written for Sluice from ksqlDB's public language reference. `make generate`
// turns it into the Go parser under parser/gen (committed); parser/ builds the
// AST of package ast from the parse tree.
//
// Conventions:
//  - Keywords are case-insensitive (caseInsensitive option).
//  - Most keywords are non-reserved: they may be used as identifiers (column
//    names such as TIMESTAMP, KEY, SIZE or TYPE are common in real schemas).
//    Only the words that would make the grammar ambiguous are reserved; see
//    the `nonReserved` rule at the end.
//  - `${name}` variables are tokens of their own, so a statement that still
//    contains variables can be parsed and formatted; the engine substitutes
//    them before planning.
//  - Labels (`# Name`) on alternatives give the AST builder one visitor method
//    per shape, so the builder never inspects token text to find out which
//    alternative matched.

grammar Sluice;

options { caseInsensitive = true; }

// A script: statements separated (and optionally ended) by semicolons.
// Written so that every decision here needs one token of lookahead: had the
// parser to choose between "statement followed by ;" and "last statement"
// it would look ahead through the whole statement, and a syntax error
// inside it would be reported from here, vaguely, instead of from the rule
// where it happened.
statements
    : statement? (SEMICOLON statement?)* EOF
    ;

// Exactly one statement, with an optional trailing semicolon.
singleStatement
    : statement SEMICOLON? EOF
    ;

// A standalone expression (used by tests and by tools that evaluate one).
singleExpression
    : expression EOF
    ;

statement
    : query                                                                  # QueryStatement
    | (LIST | SHOW) ALL? TOPICS EXTENDED?                                    # ListTopics
    | (LIST | SHOW) STREAMS EXTENDED?                                        # ListStreams
    | (LIST | SHOW) TABLES EXTENDED?                                         # ListTables
    | (LIST | SHOW) FUNCTIONS                                                # ListFunctions
    | (LIST | SHOW) (SOURCE | SINK)? CONNECTORS                              # ListConnectors
    | (LIST | SHOW) CONNECTOR PLUGINS                                        # ListConnectorPlugins
    | (LIST | SHOW) TYPES                                                    # ListTypes
    | (LIST | SHOW) VARIABLES                                                # ListVariables
    | (LIST | SHOW) QUERIES EXTENDED?                                        # ListQueries
    | (LIST | SHOW) PROPERTIES                                               # ListProperties
    | DESCRIBE (STREAMS | TABLES) EXTENDED?                                  # DescribeSources
    | DESCRIBE FUNCTION identifier                                           # DescribeFunction
    | DESCRIBE CONNECTOR identifier                                          # DescribeConnector
    | DESCRIBE sourceName EXTENDED?                                          # DescribeSource
    | DESCRIBE EXTENDED sourceName                                           # DescribeSourceExtended
    | PRINT (identifier | string) printClause                                # PrintTopic
    | TERMINATE (identifier | ALL)                                           # TerminateQuery
    | PAUSE (identifier | ALL)                                               # PauseQuery
    | RESUME (identifier | ALL)                                              # ResumeQuery
    | SET string EQ string                                                   # SetProperty
    | ALTER SYSTEM string EQ string                                          # AlterSystemProperty
    | UNSET string                                                           # UnsetProperty
    | DEFINE variableName EQ string                                          # DefineVariable
    | UNDEFINE variableName                                                  # UndefineVariable
    | EXPLAIN (statement | identifier)                                       # Explain
    | CREATE (OR REPLACE)? SOURCE? STREAM (IF NOT EXISTS)? sourceName
            (LPAREN tableElements RPAREN)? withProperties?                   # CreateStream
    | CREATE (OR REPLACE)? STREAM (IF NOT EXISTS)? sourceName
            withProperties? AS query                                         # CreateStreamAs
    | CREATE (OR REPLACE)? SOURCE? TABLE (IF NOT EXISTS)? sourceName
            (LPAREN tableElements RPAREN)? withProperties?                   # CreateTable
    | CREATE (OR REPLACE)? TABLE (IF NOT EXISTS)? sourceName
            withProperties? AS query                                         # CreateTableAs
    | CREATE (SOURCE | SINK) CONNECTOR (IF NOT EXISTS)? identifier
            withProperties                                                   # CreateConnector
    | INSERT INTO sourceName withProperties? query                           # InsertInto
    | INSERT INTO sourceName (LPAREN columns+=identifier
            (COMMA columns+=identifier)* RPAREN)?
            VALUES LPAREN (values+=expression (COMMA values+=expression)*)?
            RPAREN                                                           # InsertValues
    | DROP STREAM (IF EXISTS)? sourceName (DELETE TOPIC)?                    # DropStream
    | DROP TABLE (IF EXISTS)? sourceName (DELETE TOPIC)?                     # DropTable
    | DROP CONNECTOR (IF EXISTS)? identifier                                 # DropConnector
    | DROP TYPE (IF EXISTS)? identifier                                      # DropType
    | CREATE TYPE (IF NOT EXISTS)? identifier AS sqlType                     # RegisterType
    | ALTER (STREAM | TABLE) sourceName alterOption (COMMA alterOption)*     # AlterSource
    | ASSERT (NOT EXISTS)? TOPIC identifierOrString withProperties?
            timeoutClause?                                                   # AssertTopic
    | ASSERT (NOT EXISTS)? SCHEMA (SUBJECT identifierOrString)?
            (ID integerLiteral)? timeoutClause?                              # AssertSchema
    | RUN SCRIPT string                                                      # RunScript
    ;

query
    : SELECT selectItem (COMMA selectItem)*
      FROM from=relation
      windowExpression?
      (WHERE where=booleanExpression)?
      (GROUP BY groupBy)?
      (PARTITION BY partitionBy)?
      (HAVING having=booleanExpression)?
      resultMaterialization?
      limitClause?
    ;

resultMaterialization
    : EMIT CHANGES
    | EMIT FINAL
    ;

limitClause
    : LIMIT integerLiteral
    ;

printClause
    : (FROM BEGINNING)? intervalClause? limitClause?
    ;

intervalClause
    : (INTERVAL | SAMPLE) integerLiteral
    ;

timeoutClause
    : TIMEOUT duration
    ;

alterOption
    : ADD COLUMN? identifier sqlType
    ;

tableElements
    : tableElement (COMMA tableElement)*
    ;

tableElement
    : identifier sqlType columnConstraint?
    ;

columnConstraint
    : PRIMARY KEY                                   # PrimaryKeyConstraint
    | KEY                                           # KeyConstraint
    | HEADERS                                       # HeadersConstraint
    | HEADER LPAREN string RPAREN                   # HeaderConstraint
    ;

withProperties
    : WITH LPAREN property (COMMA property)* RPAREN
    ;

property
    : identifierOrString EQ MINUS? literal
    ;

identifierOrString
    : identifier
    | string
    ;

selectItem
    : expression (AS? identifier)?                  # SelectSingle
    | identifier DOT ASTERISK                       # SelectAllFrom
    | primaryExpression ARROW ASTERISK              # SelectStructAll
    | ASTERISK                                      # SelectAll
    ;

relation
    : left=aliasedRelation joinedSource+            # JoinRelation
    | aliasedRelation                               # SingleRelation
    ;

joinedSource
    : joinType JOIN aliasedRelation joinWindow? ON booleanExpression
    ;

joinType
    : INNER?                                        # InnerJoin
    | FULL OUTER?                                   # FullJoin
    | LEFT OUTER?                                   # LeftJoin
    | RIGHT OUTER?                                  # RightJoin
    ;

joinWindow
    : WITHIN joinWindowSize gracePeriodClause?
    ;

joinWindowSize
    : duration                                      # SingleJoinWindow
    | LPAREN before=duration COMMA after=duration RPAREN   # BeforeAfterJoinWindow
    ;

aliasedRelation
    : sourceName (AS? identifier)?
    ;

sourceName
    : identifier
    ;

windowExpression
    : WINDOW identifier? windowSpec
    ;

windowSpec
    : TUMBLING LPAREN SIZE duration windowOptions RPAREN                      # TumblingWindow
    | HOPPING LPAREN SIZE duration COMMA ADVANCE BY duration windowOptions RPAREN # HoppingWindow
    | SESSION LPAREN duration windowOptions RPAREN                            # SessionWindow
    ;

windowOptions
    : (COMMA windowOption)*
    ;

windowOption
    : RETENTION duration                            # RetentionOption
    | gracePeriodClause                             # GraceOption
    ;

gracePeriodClause
    : GRACE PERIOD duration
    ;

duration
    : integerLiteral timeUnit
    ;

timeUnit
    : MILLISECOND | MILLISECONDS | SECOND | SECONDS | MINUTE | MINUTES
    | HOUR | HOURS | DAY | DAYS
    ;

groupBy
    : LPAREN (valueExpression (COMMA valueExpression)*)? RPAREN
    | valueExpression (COMMA valueExpression)*
    ;

partitionBy
    : LPAREN (valueExpression (COMMA valueExpression)*)? RPAREN
    | valueExpression (COMMA valueExpression)*
    ;

// ---------------------------------------------------------------------------
// Expressions, from loosest to tightest binding.

expression
    : booleanExpression
    ;

booleanExpression
    : predicated                                                        # PredicatedExpression
    | NOT booleanExpression                                             # LogicalNot
    | left=booleanExpression AND right=booleanExpression                # LogicalAnd
    | left=booleanExpression OR right=booleanExpression                 # LogicalOr
    ;

predicated
    : valueExpression predicate?
    ;

predicate
    : comparisonOperator right=valueExpression                          # ComparisonPredicate
    | NOT? BETWEEN lower=valueExpression AND upper=valueExpression      # BetweenPredicate
    | NOT? IN LPAREN expression (COMMA expression)* RPAREN              # InPredicate
    | NOT? LIKE pattern=valueExpression (ESCAPE escape=string)?         # LikePredicate
    | IS NOT? NULL                                                      # NullPredicate
    | IS NOT? DISTINCT FROM right=valueExpression                       # DistinctFromPredicate
    ;

valueExpression
    : primaryExpression                                                 # ValueDefault
    | op=(MINUS | PLUS) valueExpression                                 # ArithmeticUnary
    | left=valueExpression op=(ASTERISK | SLASH | PERCENT)
      right=valueExpression                                             # ArithmeticMultiplicative
    | left=valueExpression op=(PLUS | MINUS) right=valueExpression      # ArithmeticAdditive
    | left=valueExpression CONCAT right=valueExpression                 # Concatenation
    ;

primaryExpression
    : literal                                                           # LiteralExpression
    | CASE operand=expression whenClause+ (ELSE elseExpr=expression)? END   # SimpleCase
    | CASE whenClause+ (ELSE elseExpr=expression)? END                  # SearchedCase
    | CAST LPAREN expression AS sqlType RPAREN                          # Cast
    | ARRAY LBRACKET (expression (COMMA expression)*)? RBRACKET         # ArrayConstructor
    | MAP LPAREN (mapEntry (COMMA mapEntry)*)? RPAREN                   # MapConstructor
    | STRUCT LPAREN (structField (COMMA structField)*)? RPAREN          # StructConstructor
    | functionName LPAREN ASTERISK RPAREN                               # FunctionCallStar
    | functionName LPAREN (functionArgument (COMMA functionArgument)*)? RPAREN # FunctionCall
    | base=primaryExpression LBRACKET index=valueExpression RBRACKET    # Subscript
    | identifier                                                        # ColumnReference
    | qualifier=identifier DOT name=identifier                          # QualifiedColumnReference
    | base=primaryExpression ARROW field=identifier                      # Dereference
    | LPAREN expression RPAREN                                          # ParenthesizedExpression
    ;

whenClause
    : WHEN condition=expression THEN result=expression
    ;

mapEntry
    : key=expression ASSIGN value=expression
    ;

structField
    : identifier ASSIGN expression
    ;

functionArgument
    : lambdaFunction
    | expression
    ;

lambdaFunction
    : identifier LAMBDA expression                                      # SingleParamLambda
    | LPAREN identifier (COMMA identifier)* RPAREN LAMBDA expression     # MultiParamLambda
    ;

functionName
    : identifier
    ;

comparisonOperator
    : EQ | NEQ | LT | LTE | GT | GTE
    ;

literal
    : NULL                                                              # NullLiteral
    | booleanValue                                                      # BooleanLiteral
    | number                                                            # NumericLiteral
    | string                                                            # StringLiteral
    | VARIABLE                                                          # VariableLiteral
    ;

booleanValue
    : TRUE | FALSE
    ;

number
    : DECIMAL_VALUE                                                     # DecimalNumber
    | FLOATING_POINT_VALUE                                              # FloatingNumber
    | INTEGER_VALUE                                                     # IntegerNumber
    ;

integerLiteral
    : INTEGER_VALUE
    ;

string
    : STRING
    ;

sqlType
    : ARRAY LT sqlType GT                                               # ArrayType
    | MAP LT keyType=sqlType COMMA valueType=sqlType GT                 # MapType
    | STRUCT LT (structTypeField (COMMA structTypeField)*)? GT          # StructType
    | STRUCT NEQ                                                        # EmptyStructType
    | identifier (LPAREN typeParameter (COMMA typeParameter)* RPAREN)?  # NamedType
    ;

structTypeField
    : identifier sqlType
    ;

typeParameter
    : INTEGER_VALUE
    | VARIABLE
    ;

variableName
    : IDENTIFIER
    | nonReserved
    ;

identifier
    : IDENTIFIER                                                        # UnquotedIdentifier
    | QUOTED_IDENTIFIER                                                 # QuotedIdentifier
    | BACKQUOTED_IDENTIFIER                                             # BackQuotedIdentifier
    | DIGIT_IDENTIFIER                                                  # DigitIdentifier
    | VARIABLE                                                          # VariableIdentifier
    | nonReserved                                                       # NonReservedIdentifier
    ;

// Keywords that may also be used as identifiers. Reserved (absent here):
// the words that start or separate clauses and expressions.
nonReserved
    : ADD | ADVANCE | ALTER | ARRAY | BEGINNING | CHANGES | COLUMN | CONNECTOR | CONNECTORS
    | DAY | DAYS | DEFINE | DELETE | DESCRIBE | EMIT | EXPLAIN
    | EXTENDED | FINAL | FUNCTION | FUNCTIONS | GRACE | HEADER | HEADERS | HOPPING | HOUR | HOURS
    | ID | IF | INTERVAL | KEY | LIST | MAP | MILLISECOND | MILLISECONDS
    | MINUTE | MINUTES | PAUSE | PERIOD | PLUGINS | PRIMARY | PRINT | PROPERTIES
    | QUERIES | REPLACE | RESUME | RETENTION | RUN | SAMPLE | SCHEMA | SCRIPT | SECOND | SECONDS | SESSION
    | SET | SHOW | SINK | SIZE | SOURCE | STREAMS | STRUCT | SUBJECT | SYSTEM | TABLES
    | TERMINATE | TIMEOUT | TOPIC | TOPICS | TUMBLING | TYPE | TYPES
    | UNDEFINE | UNSET | VALUES | VARIABLES
    ;

// ---------------------------------------------------------------------------
// Lexer.

ADD: 'ADD';
ADVANCE: 'ADVANCE';
ALL: 'ALL';
ALTER: 'ALTER';
AND: 'AND';
ARRAY: 'ARRAY';
AS: 'AS';
ASSERT: 'ASSERT';
BEGINNING: 'BEGINNING';
BETWEEN: 'BETWEEN';
BY: 'BY';
CASE: 'CASE';
CAST: 'CAST';
CHANGES: 'CHANGES';
COLUMN: 'COLUMN';
CONNECTOR: 'CONNECTOR';
CONNECTORS: 'CONNECTORS';
CREATE: 'CREATE';
DAY: 'DAY';
DAYS: 'DAYS';
DEFINE: 'DEFINE';
DELETE: 'DELETE';
DESCRIBE: 'DESCRIBE';
DISTINCT: 'DISTINCT';
DROP: 'DROP';
ELSE: 'ELSE';
EMIT: 'EMIT';
END: 'END';
ESCAPE: 'ESCAPE';
EXISTS: 'EXISTS';
EXPLAIN: 'EXPLAIN';
EXTENDED: 'EXTENDED';
FALSE: 'FALSE';
FINAL: 'FINAL';
FROM: 'FROM';
FULL: 'FULL';
FUNCTION: 'FUNCTION';
FUNCTIONS: 'FUNCTIONS';
GRACE: 'GRACE';
GROUP: 'GROUP';
HAVING: 'HAVING';
HEADER: 'HEADER';
HEADERS: 'HEADERS';
HOPPING: 'HOPPING';
HOUR: 'HOUR';
HOURS: 'HOURS';
ID: 'ID';
IF: 'IF';
IN: 'IN';
INNER: 'INNER';
INSERT: 'INSERT';
INTERVAL: 'INTERVAL';
INTO: 'INTO';
IS: 'IS';
JOIN: 'JOIN';
KEY: 'KEY';
LEFT: 'LEFT';
LIKE: 'LIKE';
LIMIT: 'LIMIT';
LIST: 'LIST';
MAP: 'MAP';
MILLISECOND: 'MILLISECOND';
MILLISECONDS: 'MILLISECONDS';
MINUTE: 'MINUTE';
MINUTES: 'MINUTES';
NOT: 'NOT';
NULL: 'NULL';
ON: 'ON';
OR: 'OR';
OUTER: 'OUTER';
PARTITION: 'PARTITION';
PAUSE: 'PAUSE';
PERIOD: 'PERIOD';
PLUGINS: 'PLUGINS';
PRIMARY: 'PRIMARY';
PRINT: 'PRINT';
PROPERTIES: 'PROPERTIES';
QUERIES: 'QUERIES';
REPLACE: 'REPLACE';
RESUME: 'RESUME';
RETENTION: 'RETENTION';
RIGHT: 'RIGHT';
RUN: 'RUN';
SAMPLE: 'SAMPLE';
SCHEMA: 'SCHEMA';
SCRIPT: 'SCRIPT';
SECOND: 'SECOND';
SECONDS: 'SECONDS';
SELECT: 'SELECT';
SESSION: 'SESSION';
SET: 'SET';
SHOW: 'SHOW';
SINK: 'SINK';
SIZE: 'SIZE';
SOURCE: 'SOURCE';
STREAM: 'STREAM';
STREAMS: 'STREAMS';
STRUCT: 'STRUCT';
SUBJECT: 'SUBJECT';
SYSTEM: 'SYSTEM';
TABLE: 'TABLE';
TABLES: 'TABLES';
TERMINATE: 'TERMINATE';
THEN: 'THEN';
TIMEOUT: 'TIMEOUT';
TOPIC: 'TOPIC';
TOPICS: 'TOPICS';
TRUE: 'TRUE';
TUMBLING: 'TUMBLING';
TYPE: 'TYPE';
TYPES: 'TYPES';
UNDEFINE: 'UNDEFINE';
UNSET: 'UNSET';
VALUES: 'VALUES';
VARIABLES: 'VARIABLES';
WHEN: 'WHEN';
WHERE: 'WHERE';
WINDOW: 'WINDOW';
WITH: 'WITH';
WITHIN: 'WITHIN';

EQ: '=';
NEQ: '<>' | '!=';
LT: '<';
LTE: '<=';
GT: '>';
GTE: '>=';
PLUS: '+';
MINUS: '-';
ASTERISK: '*';
SLASH: '/';
PERCENT: '%';
CONCAT: '||';
ASSIGN: ':=';
LAMBDA: '=>';
ARROW: '->';
DOT: '.';
COMMA: ',';
SEMICOLON: ';';
LPAREN: '(';
RPAREN: ')';
LBRACKET: '[';
RBRACKET: ']';

// Strings use SQL quoting: a quote inside is written twice. Backslash is an
// ordinary character.
STRING
    : '\'' ( ~'\'' | '\'\'' )* '\''
    ;

INTEGER_VALUE
    : DIGIT+
    ;

// A number with a fractional part and no exponent is an exact DECIMAL.
DECIMAL_VALUE
    : DIGIT+ '.' DIGIT*
    | '.' DIGIT+
    ;

// A number with an exponent is a DOUBLE.
FLOATING_POINT_VALUE
    : DIGIT+ ('.' DIGIT*)? EXPONENT
    | '.' DIGIT+ EXPONENT
    ;

IDENTIFIER
    : (LETTER | '_') (LETTER | DIGIT | '_' | '@')*
    ;

DIGIT_IDENTIFIER
    : DIGIT (LETTER | DIGIT | '_' | '@')+
    ;

QUOTED_IDENTIFIER
    : '"' ( ~'"' | '""' )* '"'
    ;

BACKQUOTED_IDENTIFIER
    : '`' ( ~'`' | '``' )* '`'
    ;

VARIABLE
    : '${' (LETTER | '_') (LETTER | DIGIT | '_')* '}'
    ;

fragment EXPONENT
    : 'E' [+-]? DIGIT+
    ;

fragment DIGIT
    : [0-9]
    ;

fragment LETTER
    : [A-Z]
    ;

SIMPLE_COMMENT
    : '--' ~[\r\n]* '\r'? '\n'? -> channel(HIDDEN)
    ;

BRACKETED_COMMENT
    : '/*' .*? '*/' -> channel(HIDDEN)
    ;

WS
    : [ \r\n\t]+ -> channel(HIDDEN)
    ;

// Anything else is a token the parser rejects with a positioned error,
// rather than a lexer error with no context.
UNRECOGNIZED
    : .
    ;
