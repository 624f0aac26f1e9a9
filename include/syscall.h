/* <syscall.h>: the old name of <sys/syscall.h>. */
#include <sys/syscall.h>
