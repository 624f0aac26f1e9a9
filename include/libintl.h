/* <libintl.h>: message catalogs as glibc without any installed for the program's domain:
   every lookup answers the original text (ngettext picks the singular for n == 1), while the
   domain and directory bindings are kept and reported. */
#ifndef _LIBINTL_H
#define _LIBINTL_H 1
#include <locale.h>
#define __USE_GNU_GETTEXT 1
#define __GNU_GETTEXT_SUPPORTED_REVISION(major) ((major) == 0 ? 1 : -1)
char *gettext(const char *);
char *dgettext(const char *, const char *);
char *dcgettext(const char *, const char *, int);
char *ngettext(const char *, const char *, unsigned long);
char *dngettext(const char *, const char *, const char *, unsigned long);
char *dcngettext(const char *, const char *, const char *, unsigned long, int);
char *textdomain(const char *);
char *bindtextdomain(const char *, const char *);
char *bind_textdomain_codeset(const char *, const char *);
#endif
