#ifndef CNCURSESW_SHIM_H
#define CNCURSESW_SHIM_H
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <stdio.h>
#include <wchar.h>
#include <ncursesw/curses.h>

/* Wrappers for what does not import into Swift 6: macros, variadic functions and mutable
   globals (stdscr, LINES, COLS, stdin, stdout). */

/* setlocale(LC_ALL, ""): needed before newterm for UTF-8 output. */
static inline void lw_setlocale_from_environment(void) { setlocale(LC_ALL, ""); }

/* newterm(NULL, stdout, stdin); NULL when the terminal cannot be set up (unlike initscr,
   which exits the process). */
static inline SCREEN *lw_newterm(void) { return newterm(NULL, stdout, stdin); }

static inline WINDOW *lw_stdscr(void) { return stdscr; }
static inline int lw_lines(void) { return LINES; }
static inline int lw_cols(void) { return COLS; }
static inline void lw_getmaxyx(int *rows, int *columns) {
    int y = 0, x = 0;
    getmaxyx(stdscr, y, x);
    *rows = y;
    *columns = x;
}

static inline attr_t lw_attr_normal(void) { return A_NORMAL; }
static inline attr_t lw_attr_bold(void) { return A_BOLD; }
static inline attr_t lw_attr_dim(void) { return A_DIM; }
static inline attr_t lw_attr_reverse(void) { return A_REVERSE; }
static inline int lw_color_pair(int n) { return (int)COLOR_PAIR(n); }

/* Draws one cell: `text` is a spacing character followed by at most four combining ones,
   NUL-terminated. */
static inline int lw_add_wide(int y, int x, const wchar_t *text, attr_t attrs, short pair) {
    cchar_t cell;
    if (setcchar(&cell, text, attrs, pair, NULL) == ERR) return ERR;
    return mvwadd_wch(stdscr, y, x, &cell);
}

/* Reads one key (waiting at most the window's timeout). Returns ERR on timeout; otherwise
   sets *is_key_code (1 for KEY_* codes, 0 for characters) and *value. */
static inline int lw_get_key(int *is_key_code, unsigned int *value) {
    wint_t key = 0;
    int result = wget_wch(stdscr, &key);
    if (result == ERR) return ERR;
    *is_key_code = (result == KEY_CODE_YES) ? 1 : 0;
    *value = (unsigned int)key;
    return OK;
}

static inline int lw_key_f(int n) { return KEY_F(n); }

#endif
