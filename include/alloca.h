#ifndef _ALLOCA_H
#define _ALLOCA_H 1
/* alloca is the compiler's: stack memory in the caller's frame, no library call. */
#include <_crossrun_types.h>
#undef alloca
#define alloca(size) __builtin_alloca(size)
#endif
