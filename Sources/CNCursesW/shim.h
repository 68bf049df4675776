#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <ncursesw/curses.h>
#include <ncursesw/term.h>
#include <unistd.h>

/* 1 when the terminfo entry of $TERM has the boolean or numeric capability `cap` (e.g. "RGB", "Tc"). */
static inline int srs_terminfo_has(const char *cap) {
  int err = 0;
  if (setupterm(NULL, STDOUT_FILENO, &err) != OK) return 0;
  return tigetflag(cap) > 0 || tigetnum(cap) > 0;
}
