/* <getopt.h>: GNU long options. getopt_long and getopt_long_only permute argv as getopt
   does, accept unique prefixes of long names, "--name=value" and "--name value", and print
   glibc's diagnostics ("unrecognized option", "is ambiguous", "requires an argument"). */
#ifndef _GETOPT_H
#define _GETOPT_H 1
extern char *optarg;
extern int optind, opterr, optopt;
struct option {
    const char *name;
    /* no_argument, required_argument or optional_argument. */
    int has_arg;
    /* Where to store val (then getopt_long returns 0), or NULL to return val. */
    int *flag;
    int val;
};
#define no_argument 0
#define required_argument 1
#define optional_argument 2
int getopt(int, char *const[], const char *);
int getopt_long(int, char *const[], const char *, const struct option *, int *);
int getopt_long_only(int, char *const[], const char *, const struct option *, int *);
#endif
