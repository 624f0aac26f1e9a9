/* <search.h>: hash tables (hcreate/hsearch, and the GNU _r forms over a caller's struct
   hsearch_data), binary search trees (tsearch & co.: a balanced tree; twalk visits in key
   order, though which nodes are leaves follows CrossRun's balancing, not glibc's), linear
   search (lfind/lsearch) and queues (insque/remque). Guest code from runtime/search.c. */
#ifndef _SEARCH_H
#define _SEARCH_H 1
#include <features.h>
#include <_crossrun_types.h>

#if defined __USE_MISC || defined __USE_XOPEN_EXTENDED
struct qelem { struct qelem *q_forw; struct qelem *q_back; char q_data[1]; };
void insque(void *, void *);
void remque(void *);
#endif

typedef struct entry { char *key; void *data; } ENTRY;
typedef enum { FIND, ENTER } ACTION;
struct _ENTRY;
int hcreate(size_t);
void hdestroy(void);
ENTRY *hsearch(ENTRY, ACTION);
#ifdef __USE_GNU
struct hsearch_data { struct _ENTRY *table; unsigned int size; unsigned int filled; };
int hcreate_r(size_t, struct hsearch_data *);
void hdestroy_r(struct hsearch_data *);
int hsearch_r(ENTRY, ACTION, ENTRY **, struct hsearch_data *);
#endif

typedef enum { preorder, postorder, endorder, leaf } VISIT;
typedef int (*__compar_fn_t)(const void *, const void *);
typedef void (*__action_fn_t)(const void *, VISIT, int);
void *tsearch(const void *, void **, __compar_fn_t);
void *tfind(const void *, void *const *, __compar_fn_t);
void *tdelete(const void *__CR_RESTRICT, void **__CR_RESTRICT, __compar_fn_t);
void twalk(const void *, __action_fn_t);
#ifdef __USE_GNU
typedef void (*__free_fn_t)(void *);
void tdestroy(void *, __free_fn_t);
#endif
void *lfind(const void *, const void *, size_t *, size_t, __compar_fn_t);
void *lsearch(const void *, void *, size_t *, size_t, __compar_fn_t);
#endif
