#ifndef _CTYPE_H
#define _CTYPE_H
/* Real functions (not glibc's table macros), so each is one call the runtime serves. */
int isalnum(int);
int isalpha(int);
int isblank(int);
int iscntrl(int);
int isdigit(int);
int isgraph(int);
int islower(int);
int isprint(int);
int ispunct(int);
int isspace(int);
int isupper(int);
int isxdigit(int);
int isascii(int);
int tolower(int);
int toupper(int);
#endif
