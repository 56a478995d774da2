package dev.lockscope.it.programs;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.reflect.Method;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Everything a page can show named {@link #NAME}: threads, a class (so its frames and the monitors that are its
 * instances carry the name), a contended lock, a deadlock and a saturated pool. Prints {@code ready} once all
 * of it runs.
 *
 * <p>A JVM class name cannot contain '/' (it separates packages), so the class is defined with {@link #NAME}
 * as its internal name: package {@code <}, simple name {@code script><img src=x onerror=alert(1)>}, shown by
 * the JVM as {@code <.script><img src=x onerror=alert(1)>}. The markup that matters is intact.
 */
public final class HostileNamesProgram {
    public static final String NAME = "</script><img src=x onerror=alert(1)>";

    public static void main(String[] args) throws Exception {
        Class<?> hostile = new ClassLoader(HostileNamesProgram.class.getClassLoader()) {
            Class<?> define() throws IOException {
                byte[] b = classBytes(NAME);
                return defineClass(NAME.replace('/', '.'), b, 0, b.length);
            }
        }.define();
        Method trampoline = hostile.getMethod("run", Runnable.class);
        Object hot = hostile.getConstructor().newInstance();
        Object a = hostile.getConstructor().newInstance();
        Object b = hostile.getConstructor().newInstance();

        for (int i = 0; i < 3; i++) {
            start(NAME + "-hot-" + i, trampoline, () -> {
                while (true) {
                    synchronized (hot) {
                        sleep(5);
                    }
                    sleep(1);
                }
            });
        }
        start(NAME + "-a", trampoline, () -> lockBoth(a, b));
        start(NAME + "-b", trampoline, () -> lockBoth(b, a));

        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(10_000),
                r -> {
                    Thread t = new Thread(r, NAME + "-pool-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        start(NAME + "-submitter", trampoline, () -> {
            while (true) {
                pool.execute(() -> sleep(20));
                sleep(5); // 200 tasks/s into a pool that drains 100/s: saturated
            }
        });
        System.out.println("ready");
        Thread.sleep(Long.MAX_VALUE);
    }

    private static void lockBoth(Object first, Object second) {
        synchronized (first) {
            sleep(200);
            synchronized (second) {
                sleep(1);
            }
        }
    }

    /** A daemon thread whose every frame runs under the hostile class's {@code run(Runnable)}. */
    private static void start(String name, Method trampoline, Runnable body) {
        Thread t = new Thread(() -> {
            try {
                trampoline.invoke(null, body);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The class file of {@code public class <name> { public <name>() {} public static void run(Runnable r) { r.run(); } }},
     * written by hand (version 52: no stack map frames needed without branches).
     */
    static byte[] classBytes(String internalName) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0xCAFEBABE);
        out.writeShort(0);
        out.writeShort(52);
        out.writeShort(16); // constant pool count: entries 1..15
        utf8(out, internalName);            // 1
        out.writeByte(7); out.writeShort(1); // 2 Class this
        utf8(out, "java/lang/Object");      // 3
        out.writeByte(7); out.writeShort(3); // 4 Class Object
        utf8(out, "run");                   // 5
        utf8(out, "(Ljava/lang/Runnable;)V"); // 6
        utf8(out, "Code");                  // 7
        utf8(out, "java/lang/Runnable");    // 8
        out.writeByte(7); out.writeShort(8); // 9 Class Runnable
        out.writeByte(12); out.writeShort(5); out.writeShort(11); // 10 NameAndType run ()V
        utf8(out, "()V");                   // 11
        out.writeByte(11); out.writeShort(9); out.writeShort(10); // 12 InterfaceMethodref Runnable.run
        utf8(out, "<init>");                // 13
        out.writeByte(12); out.writeShort(13); out.writeShort(11); // 14 NameAndType <init> ()V
        out.writeByte(10); out.writeShort(4); out.writeShort(14); // 15 Methodref Object.<init>
        out.writeShort(0x0001 | 0x0020); // public, super
        out.writeShort(2);
        out.writeShort(4);
        out.writeShort(0); // interfaces
        out.writeShort(0); // fields
        out.writeShort(2); // methods
        method(out, 0x0001, 13, 11, new byte[] {0x2a, (byte) 0xb7, 0, 15, (byte) 0xb1}); // aload_0 invokespecial #15 return
        method(out, 0x0001 | 0x0008, 5, 6, new byte[] {0x2a, (byte) 0xb9, 0, 12, 1, 0, (byte) 0xb1}); // aload_0 invokeinterface #12 1 0 return
        out.writeShort(0); // attributes
        return bytes.toByteArray();
    }

    private static void utf8(DataOutputStream out, String s) throws IOException {
        out.writeByte(1);
        out.writeUTF(s);
    }

    private static void method(DataOutputStream out, int access, int name, int descriptor, byte[] code) throws IOException {
        out.writeShort(access);
        out.writeShort(name);
        out.writeShort(descriptor);
        out.writeShort(1); // one attribute: Code
        out.writeShort(7);
        out.writeInt(12 + code.length);
        out.writeShort(1); // max stack
        out.writeShort(1); // max locals
        out.writeInt(code.length);
        out.write(code);
        out.writeShort(0); // exception table
        out.writeShort(0); // attributes
    }
}
