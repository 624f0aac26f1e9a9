import CrossRunDriver
import CrossRunSupport
import XCTest

/// The raw socket system calls (inline `syscall`/`svc`/`ecall`, each arch's numbers) reach the
/// same code as the C library's wrappers: a socket pair, a datagram with the sender's length,
/// an option, and the kernel's errors, alike on every configuration (natively the real kernel).
final class SocketSyscallTests: XCTestCase {
    func testRawSocketCallsOnEveryConfiguration() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        let src = dir + "/raw.c"
        try FileIO.write(Array(("""
            #include <stdio.h>
            #include <string.h>
            #include <sys/socket.h>

            """ + TestSupport.rawSyscall3 + """

            static long sys6(long n, long a, long b, long c, long d, long e, long f) {
            #if defined(__x86_64__)
                long r;
                register long r10 __asm__("r10") = d, r8 __asm__("r8") = e, r9 __asm__("r9") = f;
                __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9) : "rcx", "r11", "memory");
                return r;
            #elif defined(__aarch64__)
                register long x8 __asm__("x8") = n, x0 __asm__("x0") = a, x1 __asm__("x1") = b, x2 __asm__("x2") = c;
                register long x3 __asm__("x3") = d, x4 __asm__("x4") = e, x5 __asm__("x5") = f;
                __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "memory");
                return x0;
            #else
                register long a7 __asm__("a7") = n, a0 __asm__("a0") = a, a1 __asm__("a1") = b, a2 __asm__("a2") = c;
                register long a3 __asm__("a3") = d, a4 __asm__("a4") = e, a5 __asm__("a5") = f;
                __asm__ volatile("ecall" : "+r"(a0) : "r"(a7), "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5) : "memory");
                return a0;
            #endif
            }
            #if defined(__x86_64__)
            enum { SOCKETPAIR = 53, SENDTO = 44, RECVFROM = 45, GETSOCKOPT = 55, SHUTDOWN = 48 };
            #else
            enum { SOCKETPAIR = 199, SENDTO = 206, RECVFROM = 207, GETSOCKOPT = 209, SHUTDOWN = 210 };
            #endif
            int main(void) {
                int sv[2] = { -1, -1 };
                long r = sys6(SOCKETPAIR, AF_UNIX, SOCK_DGRAM, 0, (long)sv, 0, 0);
                printf("socketpair %ld distinct %d\\n", r, sv[0] != sv[1]);
                printf("sendto %ld\\n", sys6(SENDTO, sv[0], (long)"raw datagram", 12, 0, 0, 0));
                char buf[32] = { 0 };
                struct sockaddr_storage from;
                memset(&from, 0x55, sizeof from);
                unsigned len = sizeof from;
                r = sys6(RECVFROM, sv[1], (long)buf, sizeof buf, 0, (long)&from, (long)&len);
                printf("recvfrom %ld '%s' sender length %u\\n", r, buf, len);
                int type = 0;
                len = sizeof type;
                printf("getsockopt %ld type %d len %u\\n", sys6(GETSOCKOPT, sv[0], SOL_SOCKET, SO_TYPE, (long)&type, (long)&len, 0), type, len);
                printf("getsockopt wild length %ld\\n", sys6(GETSOCKOPT, sv[0], SOL_SOCKET, SO_TYPE, (long)&type, 16, 0));
                printf("sendto wild buffer %ld\\n", sys6(SENDTO, sv[0], 16, 4, 0, 0, 0));
                printf("shutdown bad fd %ld\\n", sys3(SHUTDOWN, -1, 0, 0));
                return 0;
            }
            """).utf8), to: src)
        let expected = """
            socketpair 0 distinct 1
            sendto 12
            recvfrom 12 'raw datagram' sender length 0
            getsockopt 0 type 2 len 4
            getsockopt wild length -14
            sendto wild buffer -14
            shutdown bad fd -9

            """
        for (name, flags) in CLITests.runs {
            let out = try TestSupport.runCrossrun(flags + [src], cwd: dir)
            XCTAssertEqual(out.status, 0, "\(name): \(out.stderr)")
            XCTAssertEqual(out.stdout, expected, name)
        }
    }
}
