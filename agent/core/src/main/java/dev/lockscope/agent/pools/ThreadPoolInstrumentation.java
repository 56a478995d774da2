package dev.lockscope.agent.pools;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.none;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.lockscope.bridge.PoolBridge;
import java.lang.instrument.Instrumentation;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadPoolExecutor;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.utility.JavaModule;

/**
 * Advice on {@code java.util.concurrent.ThreadPoolExecutor} (so every subclass, ScheduledThreadPoolExecutor
 * included) and on Tomcat's copy of it, {@code org.apache.tomcat.util.threads.ThreadPoolExecutor}: the
 * constructor (discovery and call site), {@code execute} (sampled enqueue time), {@code beforeExecute} /
 * {@code afterExecute} (wait, run time, lateness) and {@code reject} (rejections by policy). Tasks pass through
 * untouched: nothing is wrapped, so {@code remove(task)}, {@code shutdownNow()} and rejection handlers see the
 * application's own objects.
 *
 * <p>A subclass overriding {@code beforeExecute}/{@code afterExecute} without calling {@code super} loses the
 * timing, not the counts.
 */
final class ThreadPoolInstrumentation {
    static final String JDK = "java.util.concurrent.ThreadPoolExecutor";
    static final String TOMCAT = "org.apache.tomcat.util.threads.ThreadPoolExecutor";

    /** Errors Byte Buddy reported while transforming (class name: error); tests and logs read them. */
    static final List<String> ERRORS = new CopyOnWriteArrayList<>();

    private ThreadPoolInstrumentation() {}

    /** Installs the advice; the returned transformer removes it again ({@link #uninstall}). */
    static ResettableClassFileTransformer install(Instrumentation inst, boolean timing) {
        ClassLoader agentLoader = ThreadPoolInstrumentation.class.getClassLoader();
        // Load the JDK class now so it is retransformed at install, not at some later first use: "instrumented"
        // then means the advice is in place.
        ThreadPoolExecutor.class.getName();
        return new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(AgentBuilder.TypeStrategy.Default.REDEFINE)
                .with(new ErrorListener())
                // The default ignore rule skips bootstrap classes, which is exactly java.util.concurrent;
                // the type matcher below is a plain name match, so nothing else is looked at.
                .ignore(none())
                .type(named(JDK))
                .transform(timed(timing, new AgentBuilder.Transformer.ForAdvice()
                        .include(agentLoader)
                        .advice(isConstructor().and(takesArguments(7)), Created.class.getName())
                        .advice(named("execute").and(takesArguments(Runnable.class)), Execute.class.getName())
                        .advice(named("reject").and(takesArguments(Runnable.class)), JdkReject.class.getName())))
                .type(named(TOMCAT))
                // No reject advice: Tomcat's execute() catches its own reject() and forces the task into the
                // queue, so reject() is not a rejection there.
                .transform(timed(timing, new AgentBuilder.Transformer.ForAdvice()
                        .include(agentLoader)
                        .advice(isConstructor().and(takesArguments(7)), Created.class.getName())
                        .advice(named("execute").and(takesArguments(1)).and(takesArgument(0, Runnable.class)),
                                Execute.class.getName())))
                .installOn(inst);
    }

    /** Restores the original bytes of every class the transformer changed. */
    static void uninstall(Instrumentation inst, ResettableClassFileTransformer transformer) {
        transformer.reset(inst, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
        TRANSFORMED.clear();
    }

    /** Adds the worker-side timing advice unless {@code pools.timing=false}. */
    private static AgentBuilder.Transformer.ForAdvice timed(boolean timing, AgentBuilder.Transformer.ForAdvice t) {
        if (!timing) {
            return t;
        }
        return t.advice(named("beforeExecute").and(takesArguments(Thread.class, Runnable.class)), Before.class.getName())
                .advice(named("afterExecute").and(takesArguments(Runnable.class, Throwable.class)), After.class.getName());
    }

    static final class Created {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object pool) {
            PoolBridge.created(pool);
        }
    }

    static final class Execute {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object pool, @Advice.Argument(0) Object task) {
            PoolBridge.execute(pool, task);
        }
    }

    static final class Before {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object pool, @Advice.Argument(1) Object task) {
            PoolBridge.beforeExecute(pool, task);
        }
    }

    static final class After {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object pool) {
            PoolBridge.afterExecute(pool);
        }
    }

    static final class JdkReject {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This ThreadPoolExecutor pool, @Advice.Argument(0) Object task) {
            PoolBridge.rejected(pool, task, pool.getRejectedExecutionHandler());
        }
    }

    private static final class ErrorListener extends AgentBuilder.Listener.Adapter {
        @Override
        public void onError(String typeName, ClassLoader classLoader, JavaModule module, boolean loaded,
                Throwable throwable) {
            ERRORS.add(typeName + ": " + throwable);
            System.err.println("lockscope: pools: cannot instrument " + typeName + ": " + throwable);
        }

        @Override
        public void onTransformation(TypeDescription typeDescription, ClassLoader classLoader, JavaModule module,
                boolean loaded, DynamicType dynamicType) {
            TRANSFORMED.add(typeDescription.getName());
        }
    }

    /** Classes transformed so far (reported in the sample so tests can assert instrumentation is active). */
    static final List<String> TRANSFORMED = new CopyOnWriteArrayList<>();
}
