package dev.lockscope.bridge;

/**
 * Every thread the agent starts is an {@code AgentThread}. Advice checks {@code instanceof AgentThread} (one
 * type check, no lookup) so that the agent never records, or recurses into, its own use of locks and pools.
 *
 * <p>Lives on the bootstrap class path so advice inlined into JDK classes can see it.
 */
public final class AgentThread extends Thread {
    public AgentThread(Runnable task, String name) {
        super(null, task, name, 0, false);
        setDaemon(true);
    }

    /** True when the calling thread belongs to the agent. */
    public static boolean current() {
        return Thread.currentThread() instanceof AgentThread;
    }
}
