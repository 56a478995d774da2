package dev.lockscope.agent;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.net.URISyntaxException;
import java.lang.reflect.Method;
import java.security.ProtectionDomain;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Defines the bridge classes ({@code dev.lockscope.bridge.*}) in the bootstrap class loader, the only code
 * that advice inlined into JDK classes can call.
 *
 * <p>The bytes are read as resources and injected raw, before anything in the agent touches a bridge class:
 * loading one through the agent's own loader first would create a second copy with separate statics. After
 * injection the system loader's parent-first delegation resolves every bridge reference to the bootstrap copy.
 * Injection defines the classes directly rather than appending a jar to the bootstrap search path, which
 * would turn off class-data sharing for the application's classes (and print a warning saying so).
 */
final class BridgeInjector {
    static final String PACKAGE_PATH = "dev/lockscope/bridge/";

    private BridgeInjector() {}

    static void inject(Instrumentation inst) throws IOException {
        if (alreadyInBootstrap()) {
            return; // a second attach into the same JVM
        }
        Map<String, byte[]> classes = readBridgeClasses();
        if (classes.isEmpty()) {
            throw new IOException("no bridge classes found next to " + codeSource());
        }
        defineInBootstrap(inst, classes);
    }

    /**
     * Defines classes with a null loader through {@code jdk.internal.misc.Unsafe}, exported to the agent for
     * this purpose via {@link Instrumentation#redefineModule}. Byte Buddy's Unsafe injector goes through
     * {@code sun.misc.Unsafe}, which makes JDK 23+ print a deprecation warning on every application start.
     */
    private static void defineInBootstrap(Instrumentation inst, Map<String, byte[]> classes) throws IOException {
        try {
            Module base = Object.class.getModule();
            inst.redefineModule(base, Set.of(), Map.of("jdk.internal.misc", Set.of(BridgeInjector.class.getModule())),
                    Map.of(), Set.of(), Map.of());
            Class<?> unsafeClass = Class.forName("jdk.internal.misc.Unsafe");
            Object unsafe = unsafeClass.getMethod("getUnsafe").invoke(null);
            Method define = unsafeClass.getMethod("defineClass", String.class, byte[].class, int.class, int.class,
                    ClassLoader.class, ProtectionDomain.class);
            // Superclasses first: AgentThread's super is java.lang.Thread, so plain order works; any bridge
            // class extending another bridge class would need that one defined first.
            for (Map.Entry<String, byte[]> e : classes.entrySet()) {
                byte[] b = e.getValue();
                define.invoke(unsafe, e.getKey(), b, 0, b.length, null, null);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException("cannot define the bridge classes in the bootstrap loader: " + e, e);
        }
    }

    private static boolean alreadyInBootstrap() {
        try {
            Class.forName("dev.lockscope.bridge.AgentThread", false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static Map<String, byte[]> readBridgeClasses() throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        File source = codeSource();
        if (source.isDirectory()) {
            // Running from classes/ (unit tests): the bridge module's classes are a sibling output directory.
            return out;
        }
        try (JarFile jar = new JarFile(source)) {
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                String n = e.getName();
                if (n.startsWith(PACKAGE_PATH) && n.endsWith(".class")) {
                    try (InputStream in = jar.getInputStream(e)) {
                        out.put(n.substring(0, n.length() - 6).replace('/', '.'), in.readAllBytes());
                    }
                }
            }
        }
        return out;
    }

    private static File codeSource() throws IOException {
        try {
            return new File(BridgeInjector.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IOException("cannot locate the agent jar", e);
        }
    }
}
