package io.poolkit.session.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The descriptor ({@code module-info.class}) of the named module the worker JVM runs in:
 * {@code io.poolkit.session.worker}, requiring {@code jdk.jshell}, exporting only the snippet-facing
 * package and opening nothing. Snippets live in JShell's unnamed module, so they can call
 * {@code tools} and nothing else of the worker's: reflection into the worker's link, executions or
 * threads fails with {@code InaccessibleObjectException}.
 *
 * <p>Why written here rather than compiled: the worker classes ship inside this module's jar
 * (which has its own {@code module-info}) and are copied out by {@link CodeCache}; a second
 * compiled descriptor would need a second compilation of the same sources. The class file is
 * tiny (JVMS 4.7.25): a constant pool, {@code ACC_MODULE}, and the {@code Module} and
 * {@code ModulePackages} attributes.
 */
final class WorkerModule {
    /** The worker's module name. */
    static final String NAME = "io.poolkit.session.worker";
    /** The only package snippet code may use. */
    static final String EXPORTED = "io.poolkit.session.snippet";

    private static final int ACC_MODULE = 0x8000;
    private static final int ACC_MANDATED = 0x8000;

    private WorkerModule() {
    }

    /**
     * @param packages every package of the module, dotted ({@link #EXPORTED} among them)
     * @return the bytes of its {@code module-info.class}
     */
    static byte[] descriptor(List<String> packages) {
        if (!packages.contains(EXPORTED)) {
            throw new IllegalArgumentException("the worker module must contain " + EXPORTED + ", but has " + packages);
        }
        Pool cp = new Pool();
        int thisClass = cp.classRef("module-info");
        int moduleAttr = cp.utf8("Module");
        int packagesAttr = cp.utf8("ModulePackages");
        int self = cp.module(NAME);
        int javaBase = cp.module("java.base");
        int jshell = cp.module("jdk.jshell");
        List<Integer> pkgs = new ArrayList<>();
        packages.forEach(p -> pkgs.add(cp.pkg(p.replace('.', '/'))));
        int exported = cp.pkg(EXPORTED.replace('.', '/'));
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(0xCAFEBABE);
            out.writeShort(0);
            out.writeShort(53); // Java 9, the first with modules: any JDK the project runs on reads it
            cp.writeTo(out);
            out.writeShort(ACC_MODULE);
            out.writeShort(thisClass);
            out.writeShort(0); // no super class
            out.writeShort(0); // interfaces
            out.writeShort(0); // fields
            out.writeShort(0); // methods
            out.writeShort(2); // attributes: Module, ModulePackages
            out.writeShort(moduleAttr);
            out.writeInt(2 + 2 + 2 + 2 + 2 * 6 + 2 + 6 + 2 + 2 + 2);
            out.writeShort(self);
            out.writeShort(0); // not open: no package is open to reflection
            out.writeShort(0); // no version
            out.writeShort(2); // requires
            out.writeShort(javaBase);
            out.writeShort(ACC_MANDATED);
            out.writeShort(0);
            out.writeShort(jshell);
            out.writeShort(0);
            out.writeShort(0);
            out.writeShort(1); // exports: the snippet API, to everyone
            out.writeShort(exported);
            out.writeShort(0);
            out.writeShort(0);
            out.writeShort(0); // opens
            out.writeShort(0); // uses
            out.writeShort(0); // provides
            out.writeShort(packagesAttr);
            out.writeInt(2 + 2 * pkgs.size());
            out.writeShort(pkgs.size());
            for (int p : pkgs) {
                out.writeShort(p);
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
    }

    /** A class file's constant pool: UTF-8 entries, and Class, Module and Package entries naming them. */
    private static final class Pool {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(bytes);
        private final Map<String, Integer> entries = new LinkedHashMap<>();
        private int next = 1;

        int utf8(String s) {
            return entries.computeIfAbsent("U" + s, k -> add(1, s, 0));
        }

        int classRef(String internalName) {
            int name = utf8(internalName);
            return entries.computeIfAbsent("C" + internalName, k -> add(7, null, name));
        }

        int module(String name) {
            int n = utf8(name);
            return entries.computeIfAbsent("M" + name, k -> add(19, null, n));
        }

        int pkg(String internalName) {
            int n = utf8(internalName);
            return entries.computeIfAbsent("P" + internalName, k -> add(20, null, n));
        }

        private int add(int tag, String utf8, int ref) {
            try {
                out.writeByte(tag);
                if (utf8 != null) {
                    out.writeUTF(utf8);
                } else {
                    out.writeShort(ref);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return next++;
        }

        void writeTo(DataOutputStream to) throws IOException {
            out.flush();
            to.writeShort(next);
            bytes.writeTo(to);
        }
    }
}
