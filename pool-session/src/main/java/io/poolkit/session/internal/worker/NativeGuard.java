package io.poolkit.session.internal.worker;

import java.security.Permission;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The worker's security manager on JDK 17 to 23, installed before any snippet runs; it refuses the
 * little that the module boundary cannot and allows everything else at once.
 *
 * <p>Why: the sandbox's {@code /tmp} is writable and executable (bubblewrap cannot mount it
 * {@code noexec}), and before JDK 24 ({@code --illegal-native-access=deny}) {@code System.load} is
 * open to any code. A library a snippet writes there and loads runs inside the worker JVM, where
 * JNI ignores modules: it can open the worker's packages, or write to the worker's socket
 * directly. So a native library is refused when code outside the JDK asked for it: the class that
 * called {@code System.load}/{@code loadLibrary} (or {@code Runtime}'s), reflection's frames left
 * out, must be the JDK's own (the JDK loads only its own libraries, by fixed names, from its
 * read-only directories; a method handle's caller-sensitive call shows a class of the caller's
 * loader). The JDK's libraries that load a
 * further library named by a property ({@code j2gss} with {@code sun.security.jgss.lib},
 * {@code j2pcsc}, {@code j2pkcs11}) are refused to everyone. A snippet may not replace this
 * manager, and may not stop, interrupt or rename the thread the worker holds for good
 * ({@link FinalizerTrap}, JDK 17). Exit status 3 is left to the JVM's out-of-memory exit: a snippet
 * asking for it halts with {@link WorkerMain#SNIPPET_EXIT} instead.
 *
 * <p>Every other check allows without building a permission: the JDK with this manager is no
 * stricter, and hardly slower, than without one.
 */
@SuppressWarnings("removal")
final class NativeGuard extends SecurityManager {
    /** JDK libraries that dlopen a further library named at run time by a property or a configuration. */
    private static final Set<String> FORWARDING_LIBRARIES = Set.of("j2gss", "j2pcsc", "j2pkcs11");
    private static final ClassLoader PLATFORM = ClassLoader.getPlatformClassLoader();
    /** What a JVM with {@code -XX:+ExitOnOutOfMemoryError} exits with, without asking a security manager. */
    private static final int JVM_OUT_OF_MEMORY_EXIT = 3;

    /** The JVM's threads the worker holds (the finalizer on JDK 17, the notification thread). */
    private final Set<Thread> held = ConcurrentHashMap.newKeySet();

    /**
     * Installs the guard; the JVM must run with {@code -Djava.security.manager=allow} on JDK 18 to 23.
     *
     * @return the guard, or null on JDK 24 and later (native access is denied by a flag there)
     */
    static NativeGuard install() {
        if (Runtime.version().feature() >= 24) {
            return null;
        }
        NativeGuard g = new NativeGuard();
        System.setSecurityManager(g); // the JDK's deprecation notice goes to the JVM's first stderr: the host's Tail leaves it out
        return g;
    }

    /** From now on no other code may stop, interrupt or rename {@code t}. */
    void hold(Thread t) {
        held.add(t);
    }

    @Override
    public void checkLink(String lib) {
        if (FORWARDING_LIBRARIES.contains(lib)) {
            throw new SecurityException("the session worker refuses the native library '" + lib
                    + "': it loads a further library named at run time, and native code would reach past the worker's module");
        }
        Class<?>[] stack = getClassContext(); // without reflection's frames: a reflective call shows its real caller
        for (int i = 1; i < stack.length; i++) { // 0 is this class
            Class<?> c = stack[i];
            if (c == Runtime.class || c == System.class) {
                continue;
            }
            ClassLoader l = c.getClassLoader();
            if (l != null && l != PLATFORM) {
                throw new SecurityException("the session worker refuses native libraries to snippet code ('" + lib
                        + "' asked for by " + c.getName() + "): native code would reach past the worker's module to other callers'"
                        + " executions");
            }
            return; // a JDK class loading its own library, by a name it fixes, from the JDK's read-only directories
        }
    }

    @Override
    public void checkPermission(Permission p) {
        if (p instanceof RuntimePermission && "setSecurityManager".equals(p.getName())) {
            throw new SecurityException("the session worker's security manager cannot be replaced");
        }
    }

    @Override
    public void checkPermission(Permission p, Object context) {
        checkPermission(p);
    }

    @Override
    public void checkAccess(Thread t) {
        if (held.contains(t)) {
            throw new SecurityException("the session worker's thread '" + t.getName() + "' is not for snippets to change");
        }
    }

    // the rest allow at once: their defaults would build a permission (a FilePermission parses its path) only to allow it

    @Override
    public void checkAccess(ThreadGroup g) {
    }

    @Override
    public void checkCreateClassLoader() {
    }

    /** Status 3 is the JVM's own when it runs out of memory (the host reports a limit): a snippet's halt(3) or exit(3) is not. */
    @Override
    public void checkExit(int status) {
        if (status == JVM_OUT_OF_MEMORY_EXIT) {
            Runtime.getRuntime().halt(WorkerMain.SNIPPET_EXIT);
        }
    }

    @Override
    public void checkExec(String cmd) {
    }

    @Override
    public void checkRead(java.io.FileDescriptor fd) {
    }

    @Override
    public void checkRead(String file) {
    }

    @Override
    public void checkRead(String file, Object context) {
    }

    @Override
    public void checkWrite(java.io.FileDescriptor fd) {
    }

    @Override
    public void checkWrite(String file) {
    }

    @Override
    public void checkDelete(String file) {
    }

    @Override
    public void checkConnect(String host, int port) {
    }

    @Override
    public void checkConnect(String host, int port, Object context) {
    }

    @Override
    public void checkListen(int port) {
    }

    @Override
    public void checkAccept(String host, int port) {
    }

    @Override
    public void checkMulticast(java.net.InetAddress maddr) {
    }

    @Override
    public void checkPropertiesAccess() {
    }

    @Override
    public void checkPropertyAccess(String key) {
    }

    @Override
    public void checkPrintJobAccess() {
    }

    @Override
    public void checkPackageAccess(String pkg) {
    }

    @Override
    public void checkPackageDefinition(String pkg) {
    }

    @Override
    public void checkSetFactory() {
    }

    @Override
    public void checkSecurityAccess(String target) {
    }
}
