#ifndef _SYS_TYPES_H
#define _SYS_TYPES_H
#include <_crossrun_types.h>
#include <_crossrun_pthread_types.h>
#endif
