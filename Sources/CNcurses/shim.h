#ifndef CNCURSES_SHIM_H
#define CNCURSES_SHIM_H

/* SwiftPM drops pkg-config's -D_XOPEN_SOURCE=600, so without this curses.h would hide the
   wide-character API (cchar_t, wint_t, setcchar, wadd_wch, get_wch, ...). */
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif

#include <ncursesw/curses.h>
#include <wchar.h>
#include <locale.h>
#include <langinfo.h>

/* Swift's Glibc module is built without __USE_XOPEN, which hides these. */
extern int wcwidth(wchar_t c);
extern int wcswidth(const wchar_t *s, size_t n);

/* C globals are rejected by Swift 6 ("not concurrency-safe"): read them through functions. */
static inline WINDOW *cn_stdscr(void) { return stdscr; }
static inline int cn_lines(void) { return LINES; }
static inline int cn_cols(void) { return COLS; }
static inline int cn_colors(void) { return COLORS; }
static inline int cn_color_pairs(void) { return COLOR_PAIRS; }

/* initscr() exit(1)s on an unknown TERM; newterm() returns NULL instead. */
static inline SCREEN *cn_newterm_stdio(const char *term) { return newterm(term, stdout, stdin); }
/* Whether the current terminal can put the cursor anywhere (terminfo `cup`): without it
   (TERM=dumb, a printing terminal) no board can be drawn. */
static inline int cn_can_address_cursor(void) {
    const char *cup = tigetstr("cup");
    return cup != NULL && cup != (const char *)-1;
}

/* Function-like macros. */
static inline void cn_getmaxyx(const WINDOW *w, int *y, int *x) { getmaxyx(w, *y, *x); }
static inline void cn_getyx(const WINDOW *w, int *y, int *x) { getyx(w, *y, *x); }
static inline int cn_key_f(int n) { return KEY_F(n); }
static inline int cn_color_pair(int n) { return (int)COLOR_PAIR(n); }

/* Attribute bits are macros over NCURSES_BITS, which Swift does not import. */
static const attr_t CN_A_NORMAL = A_NORMAL;
static const attr_t CN_A_BOLD = A_BOLD;
static const attr_t CN_A_REVERSE = A_REVERSE;
static const attr_t CN_A_UNDERLINE = A_UNDERLINE;
static const attr_t CN_A_DIM = A_DIM;
static const attr_t CN_A_STANDOUT = A_STANDOUT;

/* Mouse masks. */
static const mmask_t CN_BUTTON1_PRESSED = BUTTON1_PRESSED;
static const mmask_t CN_BUTTON1_RELEASED = BUTTON1_RELEASED;
static const mmask_t CN_BUTTON1_CLICKED = BUTTON1_CLICKED;
static const mmask_t CN_BUTTON4_PRESSED = BUTTON4_PRESSED; /* wheel up */
static const mmask_t CN_BUTTON5_PRESSED = BUTTON5_PRESSED; /* wheel down */
static const mmask_t CN_REPORT_MOUSE_POSITION = REPORT_MOUSE_POSITION;
static const mmask_t CN_ALL_MOUSE_EVENTS = ALL_MOUSE_EVENTS;

/* The ACS/WACS tables are filled by newterm/initscr, so these must be functions called after it. */
static inline chtype cn_acs_hline(void) { return ACS_HLINE; }
static inline chtype cn_acs_vline(void) { return ACS_VLINE; }
static inline chtype cn_acs_ulcorner(void) { return ACS_ULCORNER; }
static inline chtype cn_acs_urcorner(void) { return ACS_URCORNER; }
static inline chtype cn_acs_llcorner(void) { return ACS_LLCORNER; }
static inline chtype cn_acs_lrcorner(void) { return ACS_LRCORNER; }
static inline const cchar_t *cn_wacs_hline(void) { return WACS_HLINE; }
static inline const cchar_t *cn_wacs_vline(void) { return WACS_VLINE; }

#endif
