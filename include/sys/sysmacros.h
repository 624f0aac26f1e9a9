#ifndef _SYS_SYSMACROS_H
#define _SYS_SYSMACROS_H 1
/* Device numbers in glibc's 64-bit dev_t encoding (12+20 bits of major, 8+24 of minor). */
#include <_crossrun_types.h>
static __inline unsigned int __crossrun_major(dev_t d) {
    return (unsigned int)(((d >> 8) & 0xfffu) | ((d >> 32) & ~0xfffu));
}
static __inline unsigned int __crossrun_minor(dev_t d) {
    return (unsigned int)((d & 0xffu) | ((d >> 12) & ~0xffu));
}
static __inline dev_t __crossrun_makedev(unsigned int ma, unsigned int mi) {
    return ((dev_t)(ma & 0xfffu) << 8) | ((dev_t)(ma & ~0xfffu) << 32) | ((dev_t)(mi & 0xffu)) | ((dev_t)(mi & ~0xffu) << 12);
}
#define major(dev) __crossrun_major(dev)
#define minor(dev) __crossrun_minor(dev)
#define makedev(ma, mi) __crossrun_makedev(ma, mi)
#endif
