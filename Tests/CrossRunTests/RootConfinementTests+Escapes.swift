import CrossRunDriver
import CrossRunLibc
import CrossRunSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The ways out of `--root` issue 12 found, closed: `fopen` modes with `x`, removing the root
/// itself, descriptors inherited from the shell.
extension RootConfinementTests {
    /// `x` adds `O_EXCL`, which only matters with `O_CREAT`: `"rx"`, `"r+x"`, `"rbbbbx"` and
    /// `freopen(…, "rx")` follow a link as `"r"` does — inside the root, so `hostabs` (to the
    /// host's secret) is not found and `sub/back` is. `"wx"` does not follow (`EEXIST`), and an
    /// `x` past glibc's six mode characters is ignored (`"wbbbbbbx"` follows, re-rooted).
    func testFopenModesFollowLinksAsGlibcDoes() throws {
        let source = dir + "/modes.c"
        try FileIO.write(Array("""
            #include <errno.h>
            #include <stdio.h>
            #include <string.h>
            static void show(const char *path, const char *mode, FILE *f) {
                char line[64] = "";
                int e = errno;
                if (f) { if (!fgets(line, sizeof line, f)) strcpy(line, "(empty)\\n"); fclose(f); }
                printf("%-8s %-9s %s", path, mode, f ? line : "");
                if (!f) printf("%s\\n", strerror(e));
            }
            int main(void) {
                const char *modes[] = {"r", "rx", "r+x", "rbbbbx", "rbbbbbbx", "rxe", "wx", "ax", "w+x", "wbbbbbx", "wbbbbbbx", "q"};
                const char *paths[] = {"hostabs", "sub/back"};
                for (int p = 0; p < 2; p++)
                    for (unsigned m = 0; m < sizeof modes / sizeof *modes; m++) {
                        errno = 0;
                        FILE *f = fopen(paths[p], modes[m]);
                        show(paths[p], modes[m], f);
                    }
                FILE *f = fopen("inside.txt", "r");
                errno = 0;
                show("hostabs", "freopen rx", freopen("hostabs", "rx", f));
                f = fopen("inside.txt", "r");
                errno = 0;
                show("sub/back", "freopen rx", freopen("sub/back", "rx", f));
                return 0;
            }
            """.utf8), to: source)
        let expected = """
            hostabs  r         No such file or directory
            hostabs  rx        No such file or directory
            hostabs  r+x       No such file or directory
            hostabs  rbbbbx    No such file or directory
            hostabs  rbbbbbbx  No such file or directory
            hostabs  rxe       No such file or directory
            hostabs  wx        File exists
            hostabs  ax        File exists
            hostabs  w+x       File exists
            hostabs  wbbbbbx   File exists
            hostabs  wbbbbbbx  No such file or directory
            hostabs  q         Invalid argument
            sub/back r         inside
            sub/back rx        inside
            sub/back r+x       inside
            sub/back rbbbbx    inside
            sub/back rbbbbbbx  inside
            sub/back rxe       inside
            sub/back wx        File exists
            sub/back ax        File exists
            sub/back w+x       File exists
            sub/back wbbbbbx   File exists
            sub/back wbbbbbbx  (empty)
            sub/back q         Invalid argument
            hostabs  freopen rx No such file or directory
            sub/back freopen rx (empty)

            """
        for target in Target.allCases {
            try FileIO.write(Array("inside\n".utf8), to: root + "/inside.txt")
            let out = try TestSupport.runCrossrun(["--target", target.rawValue, "--root", root, source], cwd: dir)
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, expected, "\(target)")
            XCTAssertEqual(try FileIO.read(dir + "/secret.txt"), Array("host secret\n".utf8), "\(target)")
        }
        // Natively (no root) the same modes follow the same links: the host's secret is read.
        let native = try TestSupport.runCrossrun(["--backend", "native", source], cwd: root)
        XCTAssertEqual(native.status, 0, native.stderr)
        XCTAssertTrue(native.stdout.hasPrefix("hostabs  r         host secret\nhostabs  rx        host secret\nhostabs  r+x       host secret\n"), native.stdout)
        XCTAssertTrue(native.stdout.contains("hostabs  wbbbbbbx  (empty)\n"), native.stdout)
    }

    /// What Linux answers when a program removes or renames `/`, `.` or `..` — printed by the
    /// host's own C library on the real `/` (never removable) and by the emulated one inside a
    /// root that would be removable (it is empty): the root must survive with the same answers.
    static let removalProgram = """
        #include <errno.h>
        #include <fcntl.h>
        #include <stdio.h>
        #include <string.h>
        #include <sys/stat.h>
        #include <unistd.h>
        static void show(const char *what, int r) { printf("%s: %d %s\\n", what, r, r ? strerror(errno) : ""); }
        /* unlinkat(AT_FDCWD, path, flags) as a raw system call (not in CrossRun's C library). */
        static int unlinkat_raw(const char *path, long flags) {
        #if defined(__x86_64__)
            long r;
            register long r10 __asm__("r10") = 0;
            __asm__ volatile("syscall" : "=a"(r) : "a"(263L), "D"(-100L), "S"(path), "d"(flags), "r"(r10) : "rcx", "r11", "memory");
        #elif defined(__aarch64__)
            register long x8 __asm__("x8") = 35, x0 __asm__("x0") = -100, x1 __asm__("x1") = (long)path, x2 __asm__("x2") = flags;
            __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
            long r = x0;
        #else
            register long a7 __asm__("a7") = 35, a0 __asm__("a0") = -100, a1 __asm__("a1") = (long)path, a2 __asm__("a2") = flags;
            __asm__ volatile("ecall" : "+r"(a0) : "r"(a7), "r"(a1), "r"(a2) : "memory");
            long r = a0;
        #endif
            if (r < 0) { errno = (int)-r; return -1; }
            return (int)r;
        }
        int main(void) {
            show("rmdir /", rmdir("/"));
            show("rmdir //", rmdir("//"));
            show("rmdir /..", rmdir("/.."));
            show("rmdir .", rmdir("."));
            show("rmdir ..", rmdir(".."));
            show("rmdir /./", rmdir("/./"));
            show("unlink /", unlink("/"));
            show("unlink .", unlink("."));
            show("remove /", remove("/"));
            show("remove .", remove("."));
            show("rename / x", rename("/", "x"));
            show("rename . x", rename(".", "x"));
            show("mkdir d", mkdir("d", 0755));
            show("rename d /", rename("d", "/"));
            show("rename d ..", rename("d", ".."));
            show("rmdir d/..", rmdir("d/.."));
            show("rmdir d", rmdir("d"));
            show("unlinkat / REMOVEDIR", unlinkat_raw("/", 0x200));
            show("unlinkat / 0", unlinkat_raw("/", 0));
            show("unlinkat .. REMOVEDIR", unlinkat_raw("..", 0x200));
            return 0;
        }
        """

    func testTheRootItselfIsNeverRemoved() throws {
        let source = dir + "/remove.c"
        try FileIO.write(Array(Self.removalProgram.utf8), to: source)
        let scratch = dir + "/native-cwd"
        XCTAssertEqual(mkdir(scratch, 0o755), 0)
        let native = try TestSupport.runCrossrun(["--backend", "native", source], cwd: scratch)
        XCTAssertEqual(native.status, 0, native.stderr)
        XCTAssertTrue(native.stdout.hasPrefix("rmdir /: -1 Device or resource busy\n"), native.stdout)
        let empty = dir + "/empty"
        XCTAssertEqual(mkdir(empty, 0o755), 0)
        for target in Target.allCases {
            let out = try TestSupport.runCrossrun(["--target", target.rawValue, "--root", empty, source], cwd: dir)
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, native.stdout, "\(target)")
            XCTAssertTrue(FileIO.isDirectory(empty), "\(target): the root was removed")
            XCTAssertEqual(FileIO.entries(of: empty), [], "\(target)")
        }
    }

    /// A link that resolves to the root (`up -> ..`) with a trailing slash names the root too.
    func testRemovingThroughALinkToTheRoot() throws {
        let source = dir + "/up.c"
        try FileIO.write(Array("""
            #include <errno.h>
            #include <stdio.h>
            #include <string.h>
            #include <unistd.h>
            static void show(const char *what, int r) { printf("%s: %d %s\\n", what, r, r ? strerror(errno) : ""); }
            int main(void) {
                show("rmdir up/", rmdir("up/"));
                show("rmdir up/sub/..", rmdir("up/sub/.."));
                show("rename sub up/", rename("sub", "up/"));
                show("unlink inside.txt/", unlink("inside.txt/"));
                show("rmdir up", rmdir("up"));
                return 0;
            }
            """.utf8), to: source)
        for target in Target.allCases {
            let out = try TestSupport.runCrossrun(["--target", target.rawValue, "--root", root, source], cwd: dir)
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, """
                rmdir up/: -1 Device or resource busy
                rmdir up/sub/..: -1 Directory not empty
                rename sub up/: -1 Device or resource busy
                unlink inside.txt/: -1 Not a directory
                rmdir up: -1 Not a directory

                """, "\(target)")
            XCTAssertTrue(FileIO.isDirectory(root + "/sub"), "\(target)")
            XCTAssertTrue(FileIO.exists(root + "/inside.txt"), "\(target)")
        }
    }

    /// The `*at` calls (unlinkat, renameat) take the same removal checks as rmdir/unlink/rename.
    func testAtCallsNeverRemoveTheRoot() throws {
        let source = dir + "/at.c"
        try FileIO.write(Array("""
            #include <errno.h>
            #include <fcntl.h>
            #include <stdio.h>
            #include <string.h>
            #include <unistd.h>
            static void show(const char *what, int r) { printf("%s: %d %s\\n", what, r, r ? strerror(errno) : ""); }
            int main(void) {
                show("unlinkat / REMOVEDIR", unlinkat(AT_FDCWD, "/", AT_REMOVEDIR));
                show("unlinkat up/ REMOVEDIR", unlinkat(AT_FDCWD, "up/", AT_REMOVEDIR));
                show("unlinkat . REMOVEDIR", unlinkat(AT_FDCWD, ".", AT_REMOVEDIR));
                show("unlinkat /", unlinkat(AT_FDCWD, "/", 0));
                show("renameat sub up/", renameat(AT_FDCWD, "sub", AT_FDCWD, "up/"));
                show("renameat / x", renameat(AT_FDCWD, "/", AT_FDCWD, "x"));
                return 0;
            }
            """.utf8), to: source)
        for target in Target.allCases {
            let out = try TestSupport.runCrossrun(["--target", target.rawValue, "--root", root, source], cwd: dir)
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, """
                unlinkat / REMOVEDIR: -1 Device or resource busy
                unlinkat up/ REMOVEDIR: -1 Device or resource busy
                unlinkat . REMOVEDIR: -1 Invalid argument
                unlinkat /: -1 Is a directory
                renameat sub up/: -1 Device or resource busy
                renameat / x: -1 Device or resource busy

                """, "\(target)")
            XCTAssertTrue(FileIO.isDirectory(root + "/sub"), "\(target)")
        }
    }

    /// Under `--root` the descriptors a shell hands down (`3< file 4< dir`) are closed before
    /// the program starts: no descriptor above 2 is open in `main`. Without `--root` they are
    /// the program's, as natively.
    func testInheritedDescriptorsAreClosedUnderRoot() throws {
        let source = dir + "/fds.c"
        try FileIO.write(Array("""
            #include <dirent.h>
            #include <errno.h>
            #include <fcntl.h>
            #include <stdio.h>
            #include <string.h>
            #include <unistd.h>
            int main(void) {
                for (int fd = 3; fd < 1024; fd++)
                    if (fcntl(fd, F_GETFD) != -1) printf("fd %d is open\\n", fd);
                char buf[64] = "";
                errno = 0;
                long n = (long)read(3, buf, sizeof buf - 1);
                printf("read 3: %ld %s\\n", n, n < 0 ? strerror(errno) : buf);
                errno = 0;
                DIR *d = fdopendir(4);
                printf("fdopendir 4: %s\\n", d ? "opened" : strerror(errno));
                return 0;
            }
            """.utf8), to: source)
        func run(_ arguments: [String]) throws -> TestSupport.Outcome {
            try TestSupport.run("/bin/sh", ["-c", "exec \"$@\" 3<'\(dir)/secret.txt' 4<'\(dir)'", "sh", TestSupport.crossrun] + arguments, cwd: dir)
        }
        for target in Target.allCases {
            let out = try run(["--target", target.rawValue, "--root", root, source])
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, "read 3: -1 Bad file descriptor\nfdopendir 4: Bad file descriptor\n", "\(target)")
        }
        let native = try run(["--backend", "native", source])
        XCTAssertTrue(native.stdout.contains("read 3: 12 host secret\n"), native.stdout)
        XCTAssertTrue(native.stdout.contains("fdopendir 4: opened\n"), native.stdout)
        let emulated = try run(["--target", "rv64", source])
        XCTAssertTrue(emulated.stdout.contains("read 3: 12 host secret\n"), emulated.stdout)
    }

    /// `tmpfile`'s unnamed file lives in the guest's `/tmp` (`DIR/tmp`), as in a chroot: with
    /// no `/tmp` inside, it fails (`ENOENT`) rather than writing to the host's.
    func testTmpfileStaysInsideTheRoot() throws {
        let source = dir + "/tmp.c"
        try FileIO.write(Array("""
            #include <errno.h>
            #include <stdio.h>
            #include <string.h>
            int main(void) {
                errno = 0;
                FILE *f = tmpfile();
                if (!f) { printf("tmpfile: %s\\n", strerror(errno)); return 0; }
                char line[16] = "";
                fputs("scratch\\n", f);
                rewind(f);
                fgets(line, sizeof line, f);
                printf("tmpfile: %s", line);
                fclose(f);
                return 0;
            }
            """.utf8), to: source)
        for target in Target.allCases {
            let without = try TestSupport.runCrossrun(["--target", target.rawValue, "--root", root, source], cwd: dir)
            XCTAssertEqual(without.stdout, "tmpfile: No such file or directory\n", "\(target): \(without.stderr)")
            XCTAssertEqual(mkdir(root + "/tmp", 0o755), 0)
            let with = try TestSupport.runCrossrun(["--target", target.rawValue, "--root", root, source], cwd: dir)
            XCTAssertEqual(with.stdout, "tmpfile: scratch\n", "\(target): \(with.stderr)")
            XCTAssertEqual(FileIO.entries(of: root + "/tmp"), [], "\(target): unnamed")
            XCTAssertEqual(rmdir(root + "/tmp"), 0)
        }
    }

    /// The removal checks alone, on the resolver: Linux's answers for the last component, the
    /// root refused however it is named, ordinary names resolved as usual.
    func testRemovalResolution() throws {
        let fs = try GuestFileSystem(root: root)
        func code(_ path: String, _ kind: GuestFileSystem.Removal) -> Int32? {
            do { _ = try fs.resolve(forRemoval: Array(path.utf8), kind); return nil } catch { return error.code }
        }
        for (path, rmdirCode, unlinkCode, renameCode) in [("/", EBUSY, EISDIR, EBUSY), ("///", EBUSY, EISDIR, EBUSY),
                                                         (".", EINVAL, EISDIR, EBUSY), ("sub/.", EINVAL, EISDIR, EBUSY),
                                                         ("..", ENOTEMPTY, EISDIR, EBUSY), ("/sub/..", ENOTEMPTY, EISDIR, EBUSY),
                                                         ("up/", EBUSY, EISDIR, EBUSY), ("abs/", EBUSY, EISDIR, EBUSY),
                                                         ("sub/../up/", EBUSY, EISDIR, EBUSY), ("", ENOENT, ENOENT, ENOENT)] {
            XCTAssertEqual(code(path, .rmdir), rmdirCode, "rmdir \(path)")
            XCTAssertEqual(code(path, .unlink), unlinkCode, "unlink \(path)")
            XCTAssertEqual(code(path, .rename), renameCode, "rename \(path)")
        }
        XCTAssertEqual(String(decoding: try fs.resolve(forRemoval: Array("sub/back".utf8), .unlink).guest, as: UTF8.self), "/sub/back", "the link itself")
        XCTAssertEqual(String(decoding: try fs.resolve(forRemoval: Array("up".utf8), .rmdir).guest, as: UTF8.self), "/up", "a link named without a slash is the link")
        XCTAssertTrue(String(nulTerminated: try fs.resolve(Array("sub/".utf8)).host).hasSuffix("/root/sub/"), "a trailing slash reaches the host")
        // Without a root the host decides (it answers the same for its own "/").
        XCTAssertEqual(String(nulTerminated: try GuestFileSystem().resolve(forRemoval: Array("/".utf8), .rmdir).host), "/")
    }
}
