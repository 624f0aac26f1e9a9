#ifndef _REGEX_H
#define _REGEX_H 1
/* POSIX regular expressions (glibc's engine, flags, error codes and LP64 layouts). */
#include <features.h>
#include <_crossrun_types.h>
typedef int regoff_t;
typedef struct re_pattern_buffer {
    void *__buffer;               /* the compiled pattern (opaque) */
    unsigned long __allocated, __used, __syntax;
    char *__fastmap;
    unsigned char *__translate;
    size_t re_nsub;               /* number of parenthesised subexpressions */
    unsigned __can_be_null : 1, __regs_allocated : 2, __fastmap_accurate : 1, __no_sub : 1,
             __not_bol : 1, __not_eol : 1, __newline_anchor : 1;
} regex_t;
typedef struct { regoff_t rm_so; regoff_t rm_eo; } regmatch_t;
#define REG_EXTENDED 1
#define REG_ICASE 2
#define REG_NEWLINE 4
#define REG_NOSUB 8
#define REG_NOTBOL 1
#define REG_NOTEOL 2
#define REG_STARTEND 4
typedef enum {
    REG_ENOSYS = -1, REG_NOERROR = 0, REG_NOMATCH, REG_BADPAT, REG_ECOLLATE, REG_ECTYPE, REG_EESCAPE,
    REG_ESUBREG, REG_EBRACK, REG_EPAREN, REG_EBRACE, REG_BADBR, REG_ERANGE, REG_ESPACE, REG_BADRPT,
    REG_EEND, REG_ESIZE, REG_ERPAREN
} reg_errcode_t;
int regcomp(regex_t *__CR_RESTRICT, const char *__CR_RESTRICT, int);
int regexec(const regex_t *__CR_RESTRICT, const char *__CR_RESTRICT, size_t, regmatch_t *__CR_RESTRICT, int);
size_t regerror(int, const regex_t *__CR_RESTRICT, char *__CR_RESTRICT, size_t);
void regfree(regex_t *);
#endif
