#ifndef _UCONTEXT_H
#define _UCONTEXT_H
#include <sys/ucontext.h>
#endif
