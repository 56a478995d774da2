package dev.lockscope.agent.waits;

import java.lang.management.LockInfo;
import java.lang.management.ThreadInfo;

/**
 * Says where one thread's time is going at the moment it was sampled, from its state, its blocker and its
 * frames: running, in I/O, blocked on a monitor, waiting for a j.u.c. lock, parked for something else (named
 * from the frames), sleeping, or idle (a pool worker waiting for work, a JDK service thread). Stateless.
 */
final class ThreadClassifier {
    /** Where a thread's time goes; {@code name()} in lower case is the wire name. */
    enum State { CPU, IO, MONITOR, LOCK, PARKED, SLEEP, IDLE }

    /**
     * @param site     the first frame outside the JDK (the user's or a library's code) where the wait starts
     * @param waitsOn  the JDK call it made to wait ({@code java.util.concurrent.Semaphore.acquire}), or the
     *                 blocker's class when the frames do not say
     * @param blocker  class of the object waited on, or null
     * @param owner    the thread that owns it, when the JVM knows (monitors and locks)
     */
    record Classified(State state, String site, String waitsOn, String blocker, String owner) {}

    private ThreadClassifier() {}

    static Classified classify(ThreadInfo ti) {
        StackTraceElement[] st = ti.getStackTrace();
        LockInfo li = ti.getLockInfo();
        String blocker = li == null ? null : li.getClassName();
        int site = firstOutsideJdk(st);
        String siteFrame = site < 0 ? null : frame(st[site]);
        String waitsOn = site > 0 ? method(st[site - 1]) : blocker;
        switch (ti.getThreadState()) {
            case RUNNABLE -> {
                // A JVM service thread in native code (Reference Handler, Signal Dispatcher) or a selector
                // waiting for readiness is RUNNABLE to the JVM but waits for work.
                if (st.length == 0 || (site < 0 && st[0].isNativeMethod()) || selecting(st)) {
                    return new Classified(State.IDLE, null, null, null, null);
                }
                return new Classified(isIo(st[0]) ? State.IO : State.CPU, siteFrame, method(st[0]), null, null);
            }
            case BLOCKED -> {
                return new Classified(State.MONITOR, siteFrame, waitsOn, blocker, ti.getLockOwnerName());
            }
            case WAITING, TIMED_WAITING -> {
                if (sleeping(st)) {
                    return new Classified(State.SLEEP, siteFrame, "java.lang.Thread.sleep", null, null);
                }
                if (blocker != null && isLock(blocker)) {
                    return new Classified(State.LOCK, siteFrame, waitsOn, blocker, ti.getLockOwnerName());
                }
                if (site < 0 || waitingForWork(st)) {
                    return new Classified(State.IDLE, null, null, blocker, null);
                }
                return new Classified(State.PARKED, siteFrame, waitsOn, blocker, ti.getLockOwnerName());
            }
            default -> {
                return null; // NEW or TERMINATED: no time to account
            }
        }
    }

    static boolean isJdk(String cls) {
        return cls.startsWith("java.") || cls.startsWith("jdk.") || cls.startsWith("sun.") || cls.startsWith("javax.")
                || cls.startsWith("com.sun.") || cls.contains("$$Lambda");
    }

    static int firstOutsideJdk(StackTraceElement[] st) {
        for (int i = 0; i < st.length; i++) {
            if (!isJdk(st[i].getClassName())) {
                return i;
            }
        }
        return -1;
    }

    /** Exclusive j.u.c. locks (the Locks view's business); a Semaphore is a count of resources, not a lock. */
    static boolean isLock(String cls) {
        return cls.startsWith("java.util.concurrent.locks.ReentrantLock$")
                || cls.startsWith("java.util.concurrent.locks.ReentrantReadWriteLock$")
                || cls.equals("java.util.concurrent.locks.StampedLock");
    }

    private static boolean sleeping(StackTraceElement[] st) {
        for (int i = 0; i < Math.min(3, st.length); i++) {
            if (st[i].getClassName().equals("java.lang.Thread") && st[i].getMethodName().startsWith("sleep")) {
                return true;
            }
        }
        return false;
    }

    /** A pool's worker between tasks: its own code may wrap the worker, but it is not waiting on anything. */
    private static boolean waitingForWork(StackTraceElement[] st) {
        for (StackTraceElement e : st) {
            String c = e.getClassName();
            String m = e.getMethodName();
            if ((c.equals("java.util.concurrent.ThreadPoolExecutor") && m.equals("getTask"))
                    || (c.equals("java.util.concurrent.ForkJoinPool") && m.equals("awaitWork"))) {
                return true;
            }
            if (!isJdk(c)) {
                return false; // user code above the pool's loop: a task that waits, not an idle worker
            }
        }
        return false;
    }

    /** NIO selectors (JDK and Netty's epoll): an event loop waiting for the next ready channel. */
    private static boolean selecting(StackTraceElement[] st) {
        for (int i = 0; i < Math.min(6, st.length); i++) {
            String c = st[i].getClassName();
            String m = st[i].getMethodName();
            if ((c.equals("sun.nio.ch.SelectorImpl") && m.equals("lockAndDoSelect"))
                    || (c.startsWith("io.netty.channel.") && m.startsWith("epollWait"))) {
                return true;
            }
        }
        return false;
    }

    /** Native socket, file and selector calls: the thread is RUNNABLE to the JVM but waits on the OS. */
    private static boolean isIo(StackTraceElement top) {
        if (!top.isNativeMethod()) {
            return false;
        }
        String c = top.getClassName();
        return c.startsWith("sun.nio.ch.") || c.startsWith("java.net.") || c.startsWith("java.io.")
                || c.startsWith("sun.nio.fs.") || c.startsWith("jdk.internal.net.");
    }

    static String method(StackTraceElement e) {
        return e.getClassName() + "." + e.getMethodName();
    }

    static String frame(StackTraceElement e) {
        return e.getClassName() + "." + e.getMethodName() + "(" + (e.getFileName() == null ? "Unknown Source"
                : e.getFileName() + (e.getLineNumber() >= 0 ? ":" + e.getLineNumber() : "")) + ")";
    }

    /** Threads of one pool or one naming pattern: the name without its trailing number ({@code pool-3-thread-*}). */
    static String group(String threadName) {
        int end = threadName.length();
        while (end > 0 && Character.isDigit(threadName.charAt(end - 1))) {
            end--;
        }
        return end == threadName.length() || end == 0 ? threadName : threadName.substring(0, end) + "*";
    }
}
