import CrossRunDriver
import CrossRunLibc
import CrossRunSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Without `--root`, an emulated program's `chdir` moves the guest's current directory, not
/// CrossRun's: every relative path (library calls and system calls alike) starts there, and
/// the program sees exactly what a native run sees.
final class GuestWorkingDirectoryTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = try TestSupport.scratch()
        XCTAssertEqual(mkdir(dir + "/sub", 0o755), 0)
        try FileIO.write(Array("in sub\n".utf8), to: dir + "/sub/f.txt")
        XCTAssertEqual(symlink("sub", dir + "/link"), 0)
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
        \(TestSupport.rawSyscall3)
        #if defined(__x86_64__)
        enum { OPENAT = 257, GETCWD = 79 };
        #else
        enum { OPENAT = 56, GETCWD = 17 };
        #endif
        static char start[1024];
        static const char *here(void) {
            static char cwd[1024];
            if (!getcwd(cwd, sizeof cwd)) return strerror(errno);
            return strncmp(cwd, start, strlen(start)) == 0 ? cwd + strlen(start) : cwd;
        }
        int main(void) {
            getcwd(start, sizeof start);
            printf("chdir link: %d, cwd +%s\\n", chdir("link"), here());
            char line[32] = "";
            FILE *f = fopen("f.txt", "r");
            if (f) { fgets(line, sizeof line, f); fclose(f); }
            printf("fopen f.txt: %s", f ? line : "missing\\n");
            int fd = open("g.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
            printf("open g.txt: %d\\n", fd >= 0);
            if (fd >= 0) { write(fd, "made\\n", 5); close(fd); }
            struct stat st;
            printf("stat g.txt: %d size %ld\\n", stat("g.txt", &st), (long)st.st_size);
            int entries = 0;
            DIR *d = opendir(".");
            for (struct dirent *e; d && (e = readdir(d));) entries += e->d_name[0] != '.';
            if (d) closedir(d);
            printf("entries in .: %d\\n", entries);
            char *real = realpath("g.txt", NULL);
            printf("realpath g.txt: +%s\\n", real ? real + strlen(start) : strerror(errno));
            free(real);
            long raw = sys3(OPENAT, -100, (long)"f.txt", O_RDONLY);
            printf("openat f.txt: %d\\n", raw >= 0);
            if (raw >= 0) close((int)raw);
            char buf[1024];
            long n = sys3(GETCWD, (long)buf, sizeof buf, 0);
            printf("getcwd syscall: %d +%s\\n", n > 0, n > 0 ? buf + strlen(start) : "");
            printf("rename g.txt h.txt: %d\\n", rename("g.txt", "h.txt"));
            printf("unlink h.txt: %d, access h.txt: %d\\n", unlink("h.txt"), access("h.txt", F_OK));
            printf("chdir ..: %d, cwd +%s\\n", chdir(".."), here());
            printf("chdir nope: %d %s\\n", chdir("nope"), strerror(errno));
            printf("chdir sub/f.txt: %d %s\\n", chdir("sub/f.txt"), strerror(errno));
            printf("access sub/f.txt: %d, cwd +%s\\n", access("sub/f.txt", R_OK), here());
            return 0;
        }
        """

    static let expected = """
        chdir link: 0, cwd +/sub
        fopen f.txt: in sub
        open g.txt: 1
        stat g.txt: 0 size 5
        entries in .: 2
        realpath g.txt: +/sub/g.txt
        openat f.txt: 1
        getcwd syscall: 1 +/sub
        rename g.txt h.txt: 0
        unlink h.txt: 0, access h.txt: -1
        chdir ..: 0, cwd +
        chdir nope: -1 No such file or directory
        chdir sub/f.txt: -1 Not a directory
        access sub/f.txt: 0, cwd +

        """

    func testRelativePathsStartAtTheGuestsDirectoryOnEveryConfiguration() throws {
        let source = dir + "/cwd.c"
        try FileIO.write(Array(Self.program.utf8), to: source)
        for (target, backend) in [("x64", "native"), ("x64", "emu"), ("aarch64", "emu"), ("rv64", "emu")] {
            let out = try TestSupport.runCrossrun(["--target", target, "--backend", backend, source], cwd: dir)
            XCTAssertEqual(out.status, 0, "\(target)/\(backend): \(out.stderr)")
            XCTAssertEqual(out.stdout, Self.expected, "\(target)/\(backend)")
            XCTAssertFalse(FileIO.exists(dir + "/g.txt"), "\(target)/\(backend)")
        }
    }

    /// `umask` is the program's (kept in the emulated C library, applied to what it creates).
    func testUmaskAppliesToWhatTheProgramCreates() throws {
        let source = dir + "/mask.c"
        try FileIO.write(Array("""
            #include <fcntl.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <sys/stat.h>
            #include <unistd.h>
            static unsigned mode(const char *p) { struct stat st; return stat(p, &st) == 0 ? (unsigned)(st.st_mode & 0777) : 1; }
            int main(void) {
                umask(027);
                printf("old %03o\\n", (unsigned)umask(077));
                close(open("a", O_CREAT | O_WRONLY, 0666));
                fclose(fopen("b", "w"));
                mkdir("c", 0777);
                char t[] = "dXXXXXX";
                close(mkstemp(t));
                printf("a %03o b %03o c %03o d %03o\\n", mode("a"), mode("b"), mode("c"), mode(t));
                unlink("a"); unlink("b"); rmdir("c"); unlink(t);
                return 0;
            }
            """.utf8), to: source)
        for (target, backend) in [("x64", "native"), ("x64", "emu"), ("aarch64", "emu"), ("rv64", "emu")] {
            let out = try TestSupport.runCrossrun(["--target", target, "--backend", backend, source], cwd: dir)
            XCTAssertEqual(out.stdout, "old 027\na 600 b 600 c 700 d 600\n", "\(target)/\(backend): \(out.stderr)")
        }
    }

    /// The resolver alone: the guest's directory is a value, moved by `changeDirectory`.
    func testResolverWithoutRoot() throws {
        var fs = GuestFileSystem()
        XCTAssertEqual(String(nulTerminated: try fs.resolve(Array("x".utf8)).host), "x", "the host's own directory until chdir")
        try fs.changeDirectory(Array((dir + "/link").utf8))
        let real = try XCTUnwrap(FileIO.realPath(dir + "/sub"))
        XCTAssertEqual(String(decoding: try fs.workingDirectory(), as: UTF8.self), real)
        XCTAssertEqual(String(nulTerminated: try fs.resolve(Array("x".utf8)).host), real + "/x")
        XCTAssertEqual(String(nulTerminated: try fs.resolve(Array("/abs".utf8)).host), "/abs")
        XCTAssertEqual(String(nulTerminated: try fs.resolve([]).host), "", "an empty path stays empty (ENOENT)")
        XCTAssertEqual(FileIO.realPath("."), FileIO.realPath(FileIO.currentDirectory()), "CrossRun's own directory did not move")
        XCTAssertThrowsError(try fs.changeDirectory(Array("f.txt".utf8))) { XCTAssertEqual(($0 as? GuestFileSystem.Failure)?.code, ENOTDIR) }
    }

    /// Generated `/proc/self/` files (the guest's `maps`/`smaps`): reached as `/proc/self/`,
    /// `/proc/<own pid>/` and `/proc/thread-self/`, made afresh at each open (a new host file),
    /// never for another process's pid or another name; the descriptor behind one is far from
    /// the low numbers the guest's own opens get.
    func testGeneratedProcessFiles() throws {
        var fs = GuestFileSystem()
        fs.generatedFiles[Array("/proc/self/maps".utf8)] = { Array("guest maps\n".utf8) }
        var hosts: [String] = []
        for path in ["/proc/self/maps", "/proc/\(getpid())/maps", "/proc/thread-self/maps"] {
            let host = String(nulTerminated: try fs.resolve(Array(path.utf8)).host)
            XCTAssertTrue(host.hasPrefix("/proc/self/fd/"), "\(path): \(host)")
            XCTAssertGreaterThan(Int(host.dropFirst("/proc/self/fd/".count)) ?? 0, 64, host)
            XCTAssertEqual(String(decoding: try FileIO.read(host), as: UTF8.self), "guest maps\n", path)
            hosts.append(host)
        }
        XCTAssertEqual(Set(hosts).count, 3, "one file per open")
        for path in ["/proc/1/maps", "/proc/self/mapsx", "/proc/self/smaps", "/proc/selfish/maps"] {
            XCTAssertEqual(String(nulTerminated: try fs.resolve(Array(path.utf8)).host), path)
        }
    }

    /// glibc's reading of `fopen` modes.
    func testFopenModeFlags() {
        func flags(_ mode: String) -> Int32? { GuestFileSystem.openFlags(fopenMode: Array(mode.utf8)) }
        XCTAssertEqual(flags("r"), O_RDONLY)
        XCTAssertEqual(flags("rx"), O_RDONLY | O_EXCL)
        XCTAssertEqual(flags("r+bx"), O_RDWR | O_EXCL)
        XCTAssertEqual(flags("w"), O_WRONLY | O_CREAT | O_TRUNC)
        XCTAssertEqual(flags("a+e"), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC)
        XCTAssertEqual(flags("wbbbbbx"), O_WRONLY | O_CREAT | O_TRUNC | O_EXCL)
        XCTAssertEqual(flags("wbbbbbbx"), O_WRONLY | O_CREAT | O_TRUNC, "only six characters after the first count")
        XCTAssertEqual(flags("w,x"), O_WRONLY | O_CREAT | O_TRUNC, "',' ends the flags")
        XCTAssertNil(flags(""))
        XCTAssertNil(flags("x"))
        XCTAssertNil(flags("+r"))
        XCTAssertTrue(GuestFileSystem.followsLastComponent(openFlags: O_RDONLY | O_EXCL))
        XCTAssertFalse(GuestFileSystem.followsLastComponent(openFlags: O_WRONLY | O_CREAT | O_EXCL))
    }
}
