import CrossRunDriver
import XCTest

/// A shell would leave the root: under `--root`, `system` and `popen` are refused with EACCES
/// and `system(NULL)` reports no shell, on every target.
extension RootConfinementTests {
    func testShellCommandsAreRefusedUnderRoot() throws {
        let source = dir + "/shell.c"
        try FileIO.write(Array("""
            #include <errno.h>
            #include <stdio.h>
            #include <stdlib.h>
            int main(void) {
                printf("system(NULL) %d\\n", system(NULL));
                errno = 0;
                int r = system("echo escaped > escaped.txt");
                printf("system %d EACCES:%d\\n", r, errno == EACCES);
                errno = 0;
                FILE *p = popen("cat secret.txt", "r");
                printf("popen %s EACCES:%d\\n", p ? "opened" : "NULL", errno == EACCES);
                return 0;
            }
            """.utf8), to: source)
        for target in Target.allCases {
            let out = try TestSupport.runCrossrun(["--target", target.rawValue, "--root", root, source], cwd: dir)
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, "system(NULL) 0\nsystem -1 EACCES:1\npopen NULL EACCES:1\n", "\(target)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/escaped.txt"), "\(target)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/escaped.txt"), "\(target)")
        }
    }
}
