#ifndef _SYS_DIR_H_ALIAS
#define _SYS_DIR_H_ALIAS
/* BSD's name for <dirent.h>, as glibc has it: struct direct is struct dirent. */
#include <dirent.h>
#define direct dirent
#endif
