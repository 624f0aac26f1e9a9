import CrossRunDriver
import CrossRunSupport
import XCTest

/// Sockets under `--root`: UNIX-domain paths resolve inside the root (and names come back as
/// the guest's), while what leaves the file system — network sockets, abstract addresses, name
/// lookups — is refused, through the library and through raw system calls, on every target.
extension RootConfinementTests {
    func testSocketsUnderRoot() throws {
        let source = dir + "/sockets.c"
        try FileIO.write(Array(("""
            #include <errno.h>
            #include <netdb.h>
            #include <stdio.h>
            #include <string.h>
            #include <sys/socket.h>
            #include <sys/un.h>
            #include <unistd.h>

            """ + TestSupport.rawSyscall3 + """

            #if defined(__x86_64__)
            #define SYS_SOCKET 41
            #else
            #define SYS_SOCKET 198
            #endif
            static socklen_t un(struct sockaddr_un *a, const char *path) {
                memset(a, 0, sizeof *a);
                a->sun_family = AF_UNIX;
                memcpy(a->sun_path, path, strlen(path));
                return (socklen_t)(sizeof(a->sun_family) + strlen(path));
            }
            int main(void) {
                struct sockaddr_un a, name;
                int s = socket(AF_UNIX, SOCK_DGRAM, 0);
                printf("bind ../../escape.sock %d\\n", bind(s, (struct sockaddr *)&a, un(&a, "../../escape.sock")));
                socklen_t len = sizeof name;
                getsockname(s, (struct sockaddr *)&name, &len);
                printf("name %s\\n", name.sun_path);
                int c = socket(AF_UNIX, SOCK_DGRAM, 0);
                printf("sendto /escape.sock %zd\\n", sendto(c, "hi", 2, 0, (struct sockaddr *)&a, un(&a, "/escape.sock")));
                char buf[8];
                printf("recv %zd\\n", recv(s, buf, sizeof buf, 0));
                errno = 0;
                un(&a, "xabstract");
                a.sun_path[0] = 0;
                printf("abstract bind %d EACCES:%d\\n", bind(c, (struct sockaddr *)&a, sizeof(a.sun_family) + 9), errno == EACCES);
                errno = 0;
                printf("abstract connect %d EACCES:%d\\n", connect(c, (struct sockaddr *)&a, sizeof(a.sun_family) + 9), errno == EACCES);
                errno = 0;
                printf("socket(AF_INET) %d EACCES:%d\\n", socket(AF_INET, SOCK_STREAM, 0), errno == EACCES);
                printf("raw socket(AF_INET) EACCES:%d\\n", sys3(SYS_SOCKET, AF_INET6, SOCK_DGRAM, 0) == -EACCES);
                int sv[2];
                printf("socketpair %d\\n", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
                struct addrinfo *res;
                printf("getaddrinfo localhost refused %d\\n", getaddrinfo("localhost", NULL, NULL, &res) != 0);
                int r = getaddrinfo("127.0.0.1", "80", NULL, &res);
                printf("getaddrinfo numeric %d\\n", r);
                if (r == 0) freeaddrinfo(res);
                printf("gethostbyname localhost %s\\n", gethostbyname("localhost") ? "found" : "NULL");
                return 0;
            }
            """).utf8), to: source)
        for target in Target.allCases {
            unlink(root + "/escape.sock")
            let out = try TestSupport.runCrossrun(["--target", target.rawValue, "--root", root, source], cwd: dir)
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, """
                bind ../../escape.sock 0
                name /escape.sock
                sendto /escape.sock 2
                recv 2
                abstract bind -1 EACCES:1
                abstract connect -1 EACCES:1
                socket(AF_INET) -1 EACCES:1
                raw socket(AF_INET) EACCES:1
                socketpair 0
                getaddrinfo localhost refused 1
                getaddrinfo numeric 0
                gethostbyname localhost NULL

                """, "\(target)")
            XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/escape.sock"), "\(target)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/escape.sock"), "\(target)")
        }
    }
}
