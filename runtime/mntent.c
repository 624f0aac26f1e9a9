/* CrossRun's guest runtime: <mntent.h>, the fstab/mtab table functions, over the program's
 * own stdio (so they run the same on every pair). glibc's rules: a line's trailing blanks and
 * newline are dropped (the rest of a line longer than the buffer is read and forgotten),
 * empty lines and lines starting with '#' after blanks are skipped, fields are split at
 * blanks and tabs, missing ones are empty strings (freq and passno 0), and the escapes
 * \040 \011 \012 \134 and \\ are decoded in place. getmntent uses one static buffer. */
#define _GNU_SOURCE 1
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

FILE *setmntent(const char *file, const char *mode) {
    size_t n = strlen(mode);
    char *m = malloc(n + 3);
    if (!m) return NULL;
    memcpy(m, mode, n);
    memcpy(m + n, "ce", 3);
    FILE *f = fopen(file, m);
    free(m);
    return f;
}

int endmntent(FILE *f) {
    if (f) fclose(f);
    return 1;
}

static char *decode(char *s) {
    char *r = s, *w = s;
    while (*r) {
        if (r[0] == '\\' && r[1] == '0' && r[2] == '4' && r[3] == '0') { *w++ = ' '; r += 4; }
        else if (r[0] == '\\' && r[1] == '0' && r[2] == '1' && r[3] == '1') { *w++ = '\t'; r += 4; }
        else if (r[0] == '\\' && r[1] == '0' && r[2] == '1' && r[3] == '2') { *w++ = '\n'; r += 4; }
        else if (r[0] == '\\' && r[1] == '\\') { *w++ = '\\'; r += 2; }
        else if (r[0] == '\\' && r[1] == '1' && r[2] == '3' && r[3] == '4') { *w++ = '\\'; r += 4; }
        else *w++ = *r++;
    }
    *w = 0;
    return s;
}

/* The next blank-separated field of *head, decoded, or "" when the line has no more. */
static char *field(char **head) {
    if (!*head) return (char *)"";
    *head += strspn(*head, " \t");
    char *cp = strsep(head, " \t");
    return cp ? decode(cp) : (char *)"";
}

struct mntent *getmntent_r(FILE *f, struct mntent *mp, char *buffer, int size) {
    char *head;
    do {
        if (!fgets(buffer, size, f)) return NULL;
        char *end = strchr(buffer, '\n');
        if (end) {
            while (end != buffer && (end[-1] == ' ' || end[-1] == '\t')) end--;
            *end = 0;
        } else {
            char rest[1024];
            while (fgets(rest, sizeof rest, f))
                if (strchr(rest, '\n')) break;
        }
        head = buffer + strspn(buffer, " \t");
    } while (head[0] == 0 || head[0] == '#');
    mp->mnt_fsname = field(&head);
    mp->mnt_dir = field(&head);
    mp->mnt_type = field(&head);
    mp->mnt_opts = field(&head);
    switch (head ? sscanf(head, " %d %d ", &mp->mnt_freq, &mp->mnt_passno) : 0) {
    case 0: mp->mnt_freq = 0; /* fall through */
    case 1: mp->mnt_passno = 0; /* fall through */
    default: break;
    }
    return mp;
}

struct mntent *getmntent(FILE *f) {
    static struct mntent entry;
    static char *buffer;
    if (!buffer && !(buffer = malloc(4096))) return NULL;
    return getmntent_r(f, &entry, buffer, 4096);
}

/* A field as addmntent writes it: blanks, newlines and backslashes as octal escapes. */
static int put(FILE *f, const char *s) {
    for (; *s; s++) {
        int r;
        switch (*s) {
        case ' ': r = fputs("\\040", f); break;
        case '\t': r = fputs("\\011", f); break;
        case '\n': r = fputs("\\012", f); break;
        case '\\': r = fputs("\\134", f); break;
        default: r = fputc(*s, f);
        }
        if (r == EOF) return -1;
    }
    return 0;
}

int addmntent(FILE *f, const struct mntent *mnt) {
    if (fseek(f, 0, SEEK_END) != 0) return 1;
    if (put(f, mnt->mnt_fsname) || fputc(' ', f) == EOF || put(f, mnt->mnt_dir) || fputc(' ', f) == EOF
        || put(f, mnt->mnt_type) || fputc(' ', f) == EOF || put(f, mnt->mnt_opts)
        || fprintf(f, " %d %d\n", mnt->mnt_freq, mnt->mnt_passno) < 0)
        return 1;
    return 0;
}

char *hasmntopt(const struct mntent *mnt, const char *opt) {
    size_t n = strlen(opt);
    char *rest = mnt->mnt_opts, *p;
    while ((p = strstr(rest, opt)) != NULL) {
        if ((p == rest || p[-1] == ',') && (p[n] == 0 || p[n] == '=' || p[n] == ','))
            return p;
        rest = strchr(p, ',');
        if (!rest) break;
        rest++;
    }
    return NULL;
}
