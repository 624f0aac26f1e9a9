import CrossRunDriver
import CrossRunSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `inotify_add_watch` resolves its path inside `--root` as every other path call does.
extension RootConfinementTests {
    /// Links that lead out of the root (`escape`, `hostabs`) find nothing inside it; `sub/back`
    /// watches the root's own `inside.txt`; `/..` is the root, and a file created there is
    /// reported by its name.
    func testInotifyWatchesStayInsideTheRoot() throws {
        let source = dir + "/watch.c"
        try FileIO.write(Array("""
            #include <errno.h>
            #include <stdio.h>
            #include <string.h>
            #include <sys/inotify.h>
            #include <unistd.h>
            int main(void) {
                int fd = inotify_init1(IN_NONBLOCK);
                const char *paths[] = {"escape", "hostabs", "sub/back", "/.."};
                int top = -1;
                for (int i = 0; i < 4; i++) {
                    int wd = inotify_add_watch(fd, paths[i], IN_CREATE | IN_ATTRIB);
                    printf("%s: %s\\n", paths[i], wd >= 0 ? "watched" : strerror(errno));
                    if (i == 3) top = wd;
                }
                FILE *f = fopen("/new.txt", "w");
                fclose(f);
                _Alignas(struct inotify_event) char buf[4096];
                ssize_t n = read(fd, buf, sizeof buf);
                for (char *p = buf; n > 0 && p < buf + n;) {
                    struct inotify_event *e = (struct inotify_event *)p;
                    printf("event on %s: %s\\n", e->wd == top ? "the root" : "?", e->len ? e->name : "");
                    p += sizeof *e + e->len;
                }
                return 0;
            }
            """.utf8), to: source)
        let expected = "escape: No such file or directory\nhostabs: No such file or directory\nsub/back: watched\n/..: watched\nevent on the root: new.txt\n"
        for target in Target.allCases {
            let out = try TestSupport.runCrossrun(["--target", target.rawValue, "--backend", "emu", "--root", root, source], cwd: dir)
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, expected, "\(target)")
            unlink(root + "/new.txt")
        }
    }
}
