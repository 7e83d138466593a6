-- Client-side commands and RUN SCRIPT.
help
RUN SCRIPT 'scripts/setup.sql';
SHOW VARIABLES;
SET 'auto.offset.reset' = 'earliest';
SELECT * FROM clicks EMIT CHANGES LIMIT 1;
UNSET 'auto.offset.reset';
output yaml
RUN SCRIPT;
