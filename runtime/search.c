/* CrossRun's guest runtime: <search.h>, whose functions call back into the program
 * (comparison, visit and free functions), so they run as target code linked into the image
 * when the program uses them (doc/ARCHITECTURE.md, "Guest runtime").
 *
 * - hcreate/hsearch (and the GNU _r forms): open addressing with double hashing over a table
 *   whose size is the first odd prime at or above the request, the key hash and probe steps
 *   glibc uses, so which insertion finds the table full is the same as natively.
 * - tsearch & co.: an AVL tree (every path at most ~1.44 log2 n long, so the recursions
 *   below are shallow); nodes start with the key pointer, as glibc's, and a node keeps its
 *   address while it stays in the tree (deleting a node with two children moves its in-order
 *   successor's node into its place). twalk visits keys in order; which nodes are leaves
 *   follows this tree's shape, not glibc's red-black one.
 * - lfind/lsearch, insque/remque: glibc's loops. */
#define _GNU_SOURCE 1
#include <errno.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>

/* ---- hash tables ---- */

typedef struct _ENTRY {
    unsigned int used; /* the key's hash (never 0), or 0 for a free slot */
    ENTRY entry;
} table_entry;

static int is_prime(unsigned int n) {
    for (unsigned int d = 3; d <= n / d; d += 2)
        if (n % d == 0) return 0;
    return 1;
}

int hcreate_r(size_t nel, struct hsearch_data *htab) {
    if (htab == NULL) {
        errno = EINVAL;
        return 0;
    }
    if (htab->table != NULL) return 0;
    if (nel < 3) nel = 3;
    if (nel >= 0xfffffffdu) { /* no odd prime above it fits the table's unsigned size */
        errno = ENOMEM;
        return 0;
    }
    unsigned int size = (unsigned int)nel | 1;
    while (!is_prime(size)) size += 2;
    htab->table = calloc((size_t)size + 1, sizeof(table_entry));
    if (htab->table == NULL) return 0;
    htab->size = size;
    htab->filled = 0;
    return 1;
}

void hdestroy_r(struct hsearch_data *htab) {
    if (htab == NULL) {
        errno = EINVAL;
        return;
    }
    free(htab->table);
    htab->table = NULL;
}

int hsearch_r(ENTRY item, ACTION action, ENTRY **retval, struct hsearch_data *htab) {
    if (htab == NULL || htab->table == NULL) {
        errno = EINVAL;
        *retval = NULL;
        return 0;
    }
    table_entry *table = htab->table;
    unsigned int size = htab->size;
    size_t length = strlen(item.key);
    unsigned int hval = (unsigned int)length;
    for (size_t count = length; count-- > 0;) {
        hval <<= 4;
        hval += (unsigned char)item.key[count];
    }
    if (hval == 0) ++hval;
    unsigned int idx = hval % size + 1;
    if (table[idx].used) {
        if (table[idx].used == hval && strcmp(item.key, table[idx].entry.key) == 0) {
            *retval = &table[idx].entry;
            return 1;
        }
        unsigned int step = 1 + hval % (size - 2);
        unsigned int first = idx;
        do {
            idx = idx <= step ? size + idx - step : idx - step;
            if (idx == first) break;
            if (table[idx].used == hval && strcmp(item.key, table[idx].entry.key) == 0) {
                *retval = &table[idx].entry;
                return 1;
            }
        } while (table[idx].used);
    }
    if (action == ENTER) {
        if (htab->filled == size) {
            errno = ENOMEM;
            *retval = NULL;
            return 0;
        }
        table[idx].used = hval;
        table[idx].entry = item;
        ++htab->filled;
        *retval = &table[idx].entry;
        return 1;
    }
    errno = ESRCH;
    *retval = NULL;
    return 0;
}

static struct hsearch_data global_table;

int hcreate(size_t nel) { return hcreate_r(nel, &global_table); }
void hdestroy(void) { hdestroy_r(&global_table); }

ENTRY *hsearch(ENTRY item, ACTION action) {
    ENTRY *result;
    hsearch_r(item, action, &result, &global_table);
    return result;
}

/* ---- binary search trees ---- */

typedef struct node {
    const void *key;
    struct node *left, *right;
    int height;
} node;

static int height(const node *n) { return n ? n->height : 0; }

static void update(node *n) {
    int l = height(n->left), r = height(n->right);
    n->height = (l > r ? l : r) + 1;
}

static node *rotate_right(node *n) {
    node *l = n->left;
    n->left = l->right;
    l->right = n;
    update(n);
    update(l);
    return l;
}

static node *rotate_left(node *n) {
    node *r = n->right;
    n->right = r->left;
    r->left = n;
    update(n);
    update(r);
    return r;
}

/* Restores the AVL balance at n after one of its subtrees grew or shrank by one. */
static node *balance(node *n) {
    update(n);
    int b = height(n->left) - height(n->right);
    if (b > 1) {
        if (height(n->left->left) < height(n->left->right)) n->left = rotate_left(n->left);
        return rotate_right(n);
    }
    if (b < -1) {
        if (height(n->right->right) < height(n->right->left)) n->right = rotate_right(n->right);
        return rotate_left(n);
    }
    return n;
}

/* Inserts key below n unless present; *result: the key's node, or NULL when out of memory. */
static node *insert(node *n, const void *key, __compar_fn_t compar, node **result) {
    if (n == NULL) {
        node *m = malloc(sizeof *m);
        *result = m;
        if (m == NULL) return NULL;
        m->key = key;
        m->left = m->right = NULL;
        m->height = 1;
        return m;
    }
    int c = compar(key, n->key);
    if (c == 0) {
        *result = n;
        return n;
    }
    node *child = insert(c < 0 ? n->left : n->right, key, compar, result);
    if (*result == NULL) return n;
    if (c < 0) n->left = child;
    else n->right = child;
    return balance(n);
}

void *tsearch(const void *key, void **rootp, __compar_fn_t compar) {
    if (rootp == NULL) return NULL;
    node *result = NULL;
    node *root = insert(*rootp, key, compar, &result);
    if (result != NULL) *rootp = root;
    return result;
}

void *tfind(const void *key, void *const *rootp, __compar_fn_t compar) {
    if (rootp == NULL) return NULL;
    node *n = *rootp;
    while (n != NULL) {
        int c = compar(key, n->key);
        if (c == 0) return n;
        n = c < 0 ? n->left : n->right;
    }
    return NULL;
}

static node *remove_min(node *n, node **min) {
    if (n->left == NULL) {
        *min = n;
        return n->right;
    }
    n->left = remove_min(n->left, min);
    return balance(n);
}

static node *remove_key(node *n, const void *key, __compar_fn_t compar) {
    int c = compar(key, n->key);
    if (c < 0) n->left = remove_key(n->left, key, compar);
    else if (c > 0) n->right = remove_key(n->right, key, compar);
    else {
        node *l = n->left, *r = n->right;
        free(n);
        if (r == NULL) return l;
        node *m;
        r = remove_min(r, &m);
        m->left = l;
        m->right = r;
        return balance(m);
    }
    return balance(n);
}

/* The deleted key's parent node (still in the tree), or when the root's key was deleted the
   new root (or rootp itself for a now empty tree); NULL when the key is not there. */
void *tdelete(const void *__restrict key, void **__restrict rootp, __compar_fn_t compar) {
    if (rootp == NULL) return NULL;
    node *parent = NULL, *n = *rootp;
    while (n != NULL) {
        int c = compar(key, n->key);
        if (c == 0) break;
        parent = n;
        n = c < 0 ? n->left : n->right;
    }
    if (n == NULL) return NULL;
    *rootp = remove_key(*rootp, key, compar);
    if (parent != NULL) return parent;
    return *rootp != NULL ? *rootp : (void *)rootp;
}

static void walk(const node *n, __action_fn_t action, int level) {
    if (n->left == NULL && n->right == NULL) {
        action(n, leaf, level);
        return;
    }
    action(n, preorder, level);
    if (n->left != NULL) walk(n->left, action, level + 1);
    action(n, postorder, level);
    if (n->right != NULL) walk(n->right, action, level + 1);
    action(n, endorder, level);
}

void twalk(const void *root, __action_fn_t action) {
    if (root != NULL && action != NULL) walk(root, action, 0);
}

void tdestroy(void *root, __free_fn_t freefct) {
    node *n = root;
    if (n == NULL) return;
    tdestroy(n->left, freefct);
    tdestroy(n->right, freefct);
    freefct((void *)n->key);
    free(n);
}

/* ---- linear search and queues ---- */

void *lfind(const void *key, const void *base, size_t *nmemp, size_t size, __compar_fn_t compar) {
    const char *p = base;
    for (size_t i = 0; i < *nmemp; i++, p += size)
        if (compar(key, p) == 0) return (void *)p;
    return NULL;
}

void *lsearch(const void *key, void *base, size_t *nmemp, size_t size, __compar_fn_t compar) {
    void *found = lfind(key, base, nmemp, size, compar);
    if (found != NULL) return found;
    char *slot = (char *)base + *nmemp * size;
    memcpy(slot, key, size);
    ++*nmemp;
    return slot;
}

void insque(void *elem, void *prev) {
    struct qelem *e = elem, *p = prev;
    if (p == NULL) {
        e->q_forw = e->q_back = NULL;
        return;
    }
    e->q_forw = p->q_forw;
    e->q_back = p;
    p->q_forw = e;
    if (e->q_forw != NULL) e->q_forw->q_back = e;
}

void remque(void *elem) {
    struct qelem *e = elem;
    if (e->q_forw != NULL) e->q_forw->q_back = e->q_back;
    if (e->q_back != NULL) e->q_back->q_forw = e->q_forw;
}
