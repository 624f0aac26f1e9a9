import CrossRunDriver
import CrossRunLibc
import CrossRunSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `--root DIR`: guest paths stay inside DIR whatever `..` and symbolic links say, on every
/// emulated target; the host outside DIR is neither read nor written.
final class RootConfinementTests: XCTestCase {
    var dir = ""
    var root: String { dir + "/root" }

    override func setUpWithError() throws {
        dir = try TestSupport.scratch()
        // dir/secret.txt is outside; dir/root is the guest's "/".
        try FileIO.write(Array("host secret\n".utf8), to: dir + "/secret.txt")
        XCTAssertEqual(mkdir(root, 0o755), 0)
        XCTAssertEqual(mkdir(root + "/sub", 0o755), 0)
        try FileIO.write(Array("inside\n".utf8), to: root + "/inside.txt")
        for (name, target) in [("up", ".."), ("abs", "/"), ("escape", "../../../../secret.txt"),
                               ("hostabs", dir + "/secret.txt"), ("loop", "loop"), ("sub/back", "../inside.txt"),
                               ("dangling", dir + "/created-outside.txt"), ("made", "/sub/../made.txt")] {
            XCTAssertEqual(symlink(target, root + "/" + name), 0, name)
        }
    }

    override func tearDown() { FileIO.removeTree(dir) }

    static let program = """
        #include <dirent.h>
        #include <errno.h>
        #include <fcntl.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/stat.h>
        #include <unistd.h>

        static void try_open(const char *path) {
            errno = 0;
            FILE *f = fopen(path, "r");
            char line[64] = "";
            if (f) { if (!fgets(line, sizeof line, f)) strcpy(line, "?\\n"); fclose(f); }
            printf("fopen %-28s %s", path, f ? line : "");
            if (!f) printf("fails: %s\\n", strerror(errno));
        }

        int main(void) {
            char cwd[256];
            printf("cwd %s\\n", getcwd(cwd, sizeof cwd));
            const char *paths[] = {"inside.txt", "/inside.txt", "../secret.txt", "/../../secret.txt",
                                   "up/up/secret.txt", "abs/../inside.txt", "escape", "hostabs", "loop",
                                   "sub/back", "sub/../../inside.txt", "inside.txt/x", ""};
            for (unsigned i = 0; i < sizeof paths / sizeof *paths; i++) try_open(paths[i]);
            /* Dangling links' targets are re-rooted: the host path does not exist inside. */
            const char *links[] = {"dangling", "made"};
            for (int i = 0; i < 2; i++) {
                errno = 0;
                FILE *w = fopen(links[i], "w");
                printf("write through dangling link %s: %s\\n", links[i], w ? "ok" : strerror(errno));
                if (w) { fputs("made\\n", w); fclose(w); }
            }
            int fd = open("../../new.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
            printf("open ../../new.txt: %s\\n", fd >= 0 ? "ok" : strerror(errno));
            if (fd >= 0) { write(fd, "new\\n", 4); close(fd); }
            printf("chdir sub %d\\n", chdir("sub"));
            printf("cwd %s\\n", getcwd(cwd, sizeof cwd));
            printf("chdir ../.. %d\\n", chdir("../.."));
            printf("cwd %s\\n", getcwd(cwd, sizeof cwd));
            printf("chdir inside.txt %d (%s)\\n", chdir("inside.txt"), strerror(errno));
            char *real = realpath("sub/../up/abs/sub/back", NULL);
            printf("realpath %s\\n", real ? real : strerror(errno));
            free(real);
            struct stat st;
            printf("lstat abs is link %d, stat abs is dir %d\\n", lstat("abs", &st) == 0 && S_ISLNK(st.st_mode),
                   stat("abs", &st) == 0 && S_ISDIR(st.st_mode));
            printf("unlink hostabs %d\\n", unlink("hostabs"));
            printf("rename new.txt -> sub/moved.txt %d\\n", rename("new.txt", "sub/moved.txt"));
            DIR *d = opendir("/");
            int entries = 0;
            for (struct dirent *e; d && (e = readdir(d));) entries++;
            if (d) closedir(d);
            printf("entries in / %d\\n", entries);
            return 0;
        }
        """

    static let expected = """
        cwd /
        fopen inside.txt                   inside
        fopen /inside.txt                  inside
        fopen ../secret.txt                fails: No such file or directory
        fopen /../../secret.txt            fails: No such file or directory
        fopen up/up/secret.txt             fails: No such file or directory
        fopen abs/../inside.txt            inside
        fopen escape                       fails: No such file or directory
        fopen hostabs                      fails: No such file or directory
        fopen loop                         fails: Too many levels of symbolic links
        fopen sub/back                     inside
        fopen sub/../../inside.txt         inside
        fopen inside.txt/x                 fails: Not a directory
        fopen                              fails: No such file or directory
        write through dangling link dangling: No such file or directory
        write through dangling link made: ok
        open ../../new.txt: ok
        chdir sub 0
        cwd /sub
        chdir ../.. 0
        cwd /
        chdir inside.txt -1 (Not a directory)
        realpath /inside.txt
        lstat abs is link 1, stat abs is dir 1
        unlink hostabs 0
        rename new.txt -> sub/moved.txt 0
        entries in / 11

        """

    func testPathsStayInsideTheRootOnEveryTarget() throws {
        let source = dir + "/confined.c"
        try FileIO.write(Array(Self.program.utf8), to: source)
        for target in Target.allCases {
            let out = try TestSupport.runCrossrun(["--target", target.rawValue, "--root", root, source], cwd: dir)
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, Self.expected, "\(target)")
            // What the program wrote landed inside the root; the host outside is untouched.
            XCTAssertEqual(try FileIO.read(root + "/sub/moved.txt"), Array("new\n".utf8), "\(target)")
            XCTAssertEqual(try FileIO.read(root + "/made.txt"), Array("made\n".utf8), "\(target)")
            XCTAssertFalse(FileIO.exists(dir + "/created-outside.txt"), "\(target)")
            XCTAssertEqual(try FileIO.read(dir + "/secret.txt"), Array("host secret\n".utf8), "\(target)")
            XCTAssertFalse(FileIO.exists(dir + "/new.txt"), "\(target)")
            // Put back what the run changed.
            XCTAssertEqual(unlink(root + "/sub/moved.txt"), 0)
            XCTAssertEqual(symlink(dir + "/secret.txt", root + "/hostabs"), 0)
            XCTAssertEqual(unlink(root + "/made.txt"), 0)
        }
    }

    /// Guest code making its own system calls goes through the same confinement.
    func testRawSystemCalls() throws {
        let source = dir + "/raw.c"
        try FileIO.write(Array("""
            #include <stdio.h>
            #include <string.h>
            static long sys4(long n, long a, long b, long c, long d) {
            #if defined(__x86_64__)
                long r;
                register long r10 __asm__("r10") = d;
                __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
                return r;
            #elif defined(__aarch64__)
                register long x8 __asm__("x8") = n, x0 __asm__("x0") = a, x1 __asm__("x1") = b, x2 __asm__("x2") = c, x3 __asm__("x3") = d;
                __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
                return x0;
            #else
                register long a7 __asm__("a7") = n, a0 __asm__("a0") = a, a1 __asm__("a1") = b, a2 __asm__("a2") = c, a3 __asm__("a3") = d;
                __asm__ volatile("ecall" : "+r"(a0) : "r"(a7), "r"(a1), "r"(a2), "r"(a3) : "memory");
                return a0;
            #endif
            }
            #if defined(__x86_64__)
            enum { OPENAT = 257, READ = 0, GETCWD = 79, READLINKAT = 267 };
            #else
            enum { OPENAT = 56, READ = 63, GETCWD = 17, READLINKAT = 78 };
            #endif
            int main(void) {
                char buf[64] = "";
                long out = sys4(OPENAT, -100, (long)"../../secret.txt", 0, 0);
                long in = sys4(OPENAT, -100, (long)"/up/inside.txt", 0, 0);
                long n = in >= 0 ? sys4(READ, in, (long)buf, sizeof buf - 1, 0) : -1;
                long sub = sys4(OPENAT, -100, (long)"sub", 0, 0);
                long rel = sys4(OPENAT, sub, (long)"../../../secret.txt", 0, 0);
                long back = sys4(OPENAT, sub, (long)"back", 0, 0);
                long cwd = sys4(GETCWD, (long)buf + 32, 32, 0, 0);
                char link[64] = "";
                long l = sys4(READLINKAT, sub, (long)"back", (long)link, sizeof link - 1);
                printf("outside=%ld inside=%d read=%ld %.6s sub=%d rel=%ld back=%d cwd=%ld %s link=%ld %s\\n", out, in >= 0, n, buf,
                       sub >= 0, rel, back >= 0, cwd, buf + 32, l, link);
                return 0;
            }
            """.utf8), to: source)
        for target in Target.allCases {
            let out = try TestSupport.runCrossrun(["--target", target.rawValue, "--root", root, source], cwd: dir)
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, "outside=-2 inside=1 read=7 inside sub=1 rel=-2 back=1 cwd=2 / link=13 ../inside.txt\n", "\(target)")
        }
    }

    func testRootErrors() throws {
        let source = dir + "/p.c"
        try FileIO.write(Array("int main(void) { return 0; }\n".utf8), to: source)
        let missing = try TestSupport.runCrossrun(["--root", dir + "/nope", source])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("\(dir)/nope: --root: No such file or directory"), missing.stderr)
        let file = try TestSupport.runCrossrun(["--target", "rv64", "--root", source, source])
        XCTAssertTrue(file.stderr.contains("--root: Not a directory"), file.stderr)
        let native = try TestSupport.runCrossrun(["--backend", "native", "--root", root, source])
        XCTAssertEqual(native.status, 1)
        XCTAssertTrue(native.stderr.contains("--root confines only emulated runs"), native.stderr)
    }

    /// `/proc/self/maps` names a file mapping by the path the guest sees under the root
    /// (with ` (deleted)` once unlinked), never the host's.
    func testProcMapsNamesFilesBelowTheRoot() throws {
        let source = dir + "/maps.c"
        try FileIO.write(Array("""
            #include <fcntl.h>
            #include <stdio.h>
            #include <string.h>
            #include <sys/mman.h>
            #include <unistd.h>
            int main(void) {
                int fd = open("/sub/mapped", O_RDWR | O_CREAT | O_TRUNC, 0600);
                if (fd < 0 || ftruncate(fd, 8192) != 0) return 1;
                char *kept = mmap(0, 8192, PROT_READ, MAP_SHARED, fd, 0);
                int gone = open("/gone", O_RDWR | O_CREAT | O_TRUNC, 0600);
                if (gone < 0 || ftruncate(gone, 4096) != 0) return 2;
                char *removed = mmap(0, 4096, PROT_READ, MAP_PRIVATE, gone, 0);
                if (kept == MAP_FAILED || removed == MAP_FAILED || unlink("/gone") != 0) return 3;
                FILE *f = fopen("/proc/self/maps", "r");
                char line[512];
                while (f && fgets(line, sizeof line, f)) if (strlen(line) > 73 && line[73] == '/') fputs(line + 73, stdout);   /* the name's column */
                return 0;
            }
            """.utf8), to: source)
        for target in Target.allCases {
            let out = try TestSupport.runCrossrun(["--target", target.rawValue, "--root", root, source], cwd: dir)
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, "/sub/mapped\n/gone (deleted)\n", "\(target)")
        }
    }

    /// The resolver alone: relative starts, `..` clamping, links, and the host's view.
    func testResolver() throws {
        let fs = try GuestFileSystem(root: root)
        func guest(_ p: String, follow: Bool = true) throws -> String {
            String(decoding: try fs.resolve(Array(p.utf8), followLast: follow).guest, as: UTF8.self)
        }
        XCTAssertEqual(try guest("/"), "/")
        XCTAssertEqual(try guest("../../.."), "/")
        XCTAssertEqual(try guest("sub/./back"), "/inside.txt")
        XCTAssertEqual(try guest("sub/back", follow: false), "/sub/back")
        XCTAssertEqual(try guest("up/abs/up/missing"), "/missing")
        XCTAssertThrowsError(try guest("missing/x")) { XCTAssertEqual(($0 as? GuestFileSystem.Failure)?.code, ENOENT) }
        let real = try XCTUnwrap(realpath(root, nil))
        defer { free(real) }
        XCTAssertEqual(String(nulTerminated: try fs.resolve(Array("sub".utf8)).host), String(cString: real) + "/sub")
        let host = GuestFileSystem()
        XCTAssertEqual(String(nulTerminated: try host.resolve(Array("../x".utf8)).host), "../x")
    }
}
