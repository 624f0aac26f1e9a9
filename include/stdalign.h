#ifndef _STDALIGN_H
#define _STDALIGN_H
/* alignas and alignof (keywords from C23 on); self-contained, for any compiler. */
#if !defined(__STDC_VERSION__) || __STDC_VERSION__ <= 201710L
#define alignas _Alignas
#define alignof _Alignof
#endif
#define __alignas_is_defined 1
#define __alignof_is_defined 1
#endif
