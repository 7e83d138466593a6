package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
)

// Client-side commands are handled by the shell itself, as in ksqlDB's CLI;
// they may end with ';' but need not.
var clientCommands = map[string]bool{
	"HELP": true, "EXIT": true, "QUIT": true, "OUTPUT": true,
	"SPOOL": true, "SERVER": true, "VERSION": true, "CLEAR": true,
}

func (s *Shell) isClientCommand(text string) bool {
	w := firstWords(text, 1)
	return len(w) == 1 && clientCommands[w[0]]
}

// clientCommand runs a client-side command.
func (s *Shell) clientCommand(ctx context.Context, text string) error {
	text = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(text), ";"))
	fields := strings.Fields(text)
	name := strings.ToUpper(fields[0])
	args := fields[1:]
	switch name {
	case "HELP":
		io.WriteString(s.out, helpText)
	case "EXIT", "QUIT":
		s.exit = true
	case "VERSION":
		fmt.Fprintf(s.out, "Version: %s\n", s.opt.Version)
	case "SERVER":
		fmt.Fprintf(s.out, "Server: %s\n", s.backend.Target())
	case "CLEAR":
		// ANSI: clear the screen and home the cursor.
		io.WriteString(s.opt.Out, "\x1b[H\x1b[2J")
	case "OUTPUT":
		if len(args) == 0 {
			fmt.Fprintf(s.out, "Output format: %s\n", s.render.format)
			return nil
		}
		f, err := ParseFormat(args[0])
		if err != nil {
			return &StatementError{Code: 40000, Message: err.Error()}
		}
		s.render.format = f
		fmt.Fprintf(s.errOut, "Output format set to %s\n", f)
	case "SPOOL":
		if len(args) == 0 {
			if s.out.spool == nil {
				fmt.Fprintln(s.out, "Spool: OFF")
			} else {
				fmt.Fprintln(s.out, "Spool: ON")
			}
			return nil
		}
		if len(args) == 1 && strings.EqualFold(args[0], "OFF") {
			s.spoolOff()
			return nil
		}
		path := strings.Trim(strings.Join(args, " "), "'\"")
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("cli: spool: %w", err)
		}
		s.spoolOff()
		s.out.spool, s.errOut.spool = f, f
		fmt.Fprintf(s.out, "Session will be spooled to %s\n", path)
		fmt.Fprintln(s.out, "Enter SPOOL OFF to disable")
	}
	return nil
}

// spoolOff stops spooling and closes the spool file.
func (s *Shell) spoolOff() {
	if f, ok := s.out.spool.(*os.File); ok {
		f.Close()
	}
	s.out.spool, s.errOut.spool = nil, nil
}

// echo records typed input in the spool file, so a spool reads as the
// session did on screen.
func (s *Shell) echo(prompt, line string) {
	if s.out.spool != nil {
		fmt.Fprintf(s.out.spool, "%s%s\n", prompt, line)
	}
}

// Banner is printed when the interactive shell starts.
func (s *Shell) Banner() string {
	var b strings.Builder
	b.WriteString("\n")
	b.WriteString("   ____  _       _\n")
	b.WriteString("  / ___|| |_   _(_) ___ ___\n")
	b.WriteString("  \\___ \\| | | | | |/ __/ _ \\\n")
	b.WriteString("   ___) | | |_| | | (_|  __/\n")
	b.WriteString("  |____/|_|\\__,_|_|\\___\\___|   streaming SQL\n\n")
	fmt.Fprintf(&b, "Sluice %s, connected to %s\n", s.opt.Version, s.backend.Target())
	b.WriteString("Statements end with ';'. Type 'help' for the shell's commands, Ctrl-C to stop a query, Ctrl-D to exit.\n\n")
	return b.String()
}

const helpText = `Statements are ksqlDB SQL and end with ';'. They may span lines.

Client-side commands (';' optional):
  help                  show this text
  exit, quit            leave the shell (Ctrl-D too)
  output [JSON|TABULAR|CSV]
                        show or change the output format
  spool <file>          copy the session's output to a file (appending)
  spool off             stop spooling
  server                show where statements run
  version               show the version
  clear                 clear the screen
  RUN SCRIPT '<file>';  run the statements of a file

Keys: Tab completes keywords, streams, tables, columns and functions;
Ctrl-C stops the running query (or clears the line); Ctrl-D exits;
Up/Down and Ctrl-R walk the history, which is kept across sessions.
`
