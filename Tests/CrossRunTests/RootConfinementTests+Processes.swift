import CrossRunDriver
import CrossRunSupport
import XCTest

/// A shell or an exec'd host program would leave the root: under `--root`, `system`, `popen`
/// the exec family and `posix_spawn` are refused with EACCES and `system(NULL)` reports no shell, on every
/// target (the guest goes on running).
extension RootConfinementTests {
    func testShellCommandsAreRefusedUnderRoot() throws {
        let source = dir + "/shell.c"
        try FileIO.write(Array("""
            #include <errno.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <spawn.h>
            #include <unistd.h>
            int main(void) {
                printf("system(NULL) %d\\n", system(NULL));
                errno = 0;
                int r = system("echo escaped > escaped.txt");
                printf("system %d EACCES:%d\\n", r, errno == EACCES);
                errno = 0;
                FILE *p = popen("cat secret.txt", "r");
                printf("popen %s EACCES:%d\\n", p ? "opened" : "NULL", errno == EACCES);
                char *argv[] = {"sh", "-c", "echo escaped > escaped.txt", NULL};
                errno = 0;
                printf("execv %d EACCES:%d\\n", execv("/bin/sh", argv), errno == EACCES);
                errno = 0;
                printf("execvp %d EACCES:%d\\n", execvp("sh", argv), errno == EACCES);
                errno = 0;
                printf("execl %d EACCES:%d\\n", execl("/bin/sh", "sh", "-c", "echo escaped > escaped.txt", (char *)0), errno == EACCES);
                pid_t pid = 0;
                printf("posix_spawn EACCES:%d\\n", posix_spawn(&pid, "/bin/sh", 0, 0, argv, 0) == EACCES);
                printf("posix_spawnp EACCES:%d\\n", posix_spawnp(&pid, "sh", 0, 0, argv, 0) == EACCES);
                return 0;
            }
            """.utf8), to: source)
        for target in Target.allCases {
            let out = try TestSupport.runCrossrun(["--target", target.rawValue, "--root", root, source], cwd: dir)
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, """
                system(NULL) 0
                system -1 EACCES:1
                popen NULL EACCES:1
                execv -1 EACCES:1
                execvp -1 EACCES:1
                execl -1 EACCES:1
                posix_spawn EACCES:1
                posix_spawnp EACCES:1

                """, "\(target)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/escaped.txt"), "\(target)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/escaped.txt"), "\(target)")
        }
    }
}
