#ifndef _STDNORETURN_H
#define _STDNORETURN_H
/* noreturn for _Noreturn (C11); self-contained, for any compiler. */
#define noreturn _Noreturn
#endif
