package dev.lockscope.agent.locks;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.none;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.lockscope.bridge.LockBridge;
import java.lang.instrument.Instrumentation;
import java.util.concurrent.atomic.AtomicLong;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.utility.JavaModule;

/**
 * Instruments the slow paths of the JDK's own synchronizers, and nothing else:
 * <ul>
 *   <li>{@code AbstractQueuedSynchronizer.acquire(Node, int, boolean, boolean, boolean, long)} and the same
 *       method of {@code AbstractQueuedLongSynchronizer}: the one wait loop behind {@code ReentrantLock},
 *       both sides of {@code ReentrantReadWriteLock}, {@code Semaphore}, {@code CountDownLatch} and every
 *       {@code Condition} re-acquire. The fast path ({@code tryAcquire} before it) is untouched.</li>
 *   <li>{@code StampedLock.acquireWrite/acquireRead}, its two wait loops.</li>
 * </ul>
 * The classes are bootstrap classes that are already loaded, so the builder starts from {@code ignore(none())}
 * (Byte Buddy ignores bootstrap classes by default), matches the three names exactly, and retransforms without
 * changing the class format. The advice is inlined, suppresses every throwable and calls only
 * {@link LockBridge} (bootstrap). A listener counts transformed classes and transformation errors so a silent
 * skip shows up in the sample.
 */
final class LockInstrumentation {
    static final String AQS = "java.util.concurrent.locks.AbstractQueuedSynchronizer";
    static final String AQLS = "java.util.concurrent.locks.AbstractQueuedLongSynchronizer";
    static final String STAMPED = "java.util.concurrent.locks.StampedLock";

    final AtomicLong instrumented = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    volatile String lastError;
    private ResettableClassFileTransformer transformer;

    void install(Instrumentation inst) {
        // Byte Buddy's "safe" mode (property <its package>.safe, here the relocated name, so an application's own
        // Byte Buddy is unaffected): without it, creating an AgentBuilder probes sun.misc.Unsafe for class
        // injection, which JDK 23+ answers with a deprecation warning on the application's stderr. Nothing here
        // injects classes (the advice is inlined into retransformed JDK classes; the bridge is defined by
        // BridgeInjector), so nothing is lost.
        String safe = net.bytebuddy.ByteBuddy.class.getPackageName() + ".safe";
        if (System.getProperty(safe) == null) {
            System.setProperty(safe, "true");
        }
        ClassLoader agentLoader = LockInstrumentation.class.getClassLoader();
        transformer = new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(AgentBuilder.TypeStrategy.Default.REDEFINE)
                .ignore(none())
                .with(new Counter())
                .type(namedOneOf(AQS, AQLS))
                .transform(new AgentBuilder.Transformer.ForAdvice()
                        .include(agentLoader)
                        .advice(named("acquire").and(takesArguments(6)), AqsAcquireAdvice.class.getName()))
                .type(named(STAMPED))
                .transform(new AgentBuilder.Transformer.ForAdvice()
                        .include(agentLoader)
                        .advice(named("acquireWrite").and(takesArguments(3)), StampedWriteAdvice.class.getName())
                        .advice(named("acquireRead").and(takesArguments(3)), StampedReadAdvice.class.getName()))
                .installOn(inst);
    }

    /** Removes the transformer and retransforms the classes it changed back to their original bytes. */
    void uninstall(Instrumentation inst) {
        ResettableClassFileTransformer t = transformer;
        transformer = null;
        if (t != null) {
            t.reset(inst, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
        }
    }

    /** Counts what Byte Buddy did; never throws. */
    private final class Counter extends AgentBuilder.Listener.Adapter {
        @Override
        public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded,
                                     DynamicType dynamicType) {
            instrumented.incrementAndGet();
        }

        @Override
        public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable t) {
            errors.incrementAndGet();
            lastError = typeName + ": " + t;
        }
    }

    /** Inlined into the AQS/AQLS 6-argument acquire: time the wait loop, hand the result to the bridge. */
    static final class AqsAcquireAdvice {
        private AqsAcquireAdvice() {}

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static long enter() {
            return System.nanoTime();
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Enter long start, @Advice.This Object sync, @Advice.Argument(0) Object node,
                         @Advice.Argument(2) boolean shared) {
            LockBridge.aqsAcquired(sync, node != null, shared, start);
        }
    }

    /** Inlined into {@code StampedLock.acquireWrite}. */
    static final class StampedWriteAdvice {
        private StampedWriteAdvice() {}

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static long enter() {
            return System.nanoTime();
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Enter long start, @Advice.This Object lock) {
            LockBridge.stampedAcquired(lock, true, start);
        }
    }

    /** Inlined into {@code StampedLock.acquireRead}. */
    static final class StampedReadAdvice {
        private StampedReadAdvice() {}

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static long enter() {
            return System.nanoTime();
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Enter long start, @Advice.This Object lock) {
            LockBridge.stampedAcquired(lock, false, start);
        }
    }
}
