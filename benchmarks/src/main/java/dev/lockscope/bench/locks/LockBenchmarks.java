package dev.lockscope.bench.locks;

import dev.lockscope.bench.AgentCheck;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The lock paths the agent touches (or must not touch): uncontended {@code ReentrantLock}, uncontended
 * {@code synchronized}, a {@code ReentrantLock} contended by 2 threads, and a {@code ReentrantReadWriteLock}
 * read lock. Run with and without the agent by {@code scripts/bench} ({@link dev.lockscope.bench.AgentComparison}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LockBenchmarks {

    @State(Scope.Thread)
    public static class Uncontended {
        final ReentrantLock lock = new ReentrantLock();
        final Object monitor = new Object();
        final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
        long counter;

        @Setup(Level.Trial)
        public void agent() {
            AgentCheck.awaitInstrumentation();
        }
    }

    @State(Scope.Group)
    public static class Shared {
        final ReentrantLock lock = new ReentrantLock();
        long counter;
        long recordedBefore;

        @Setup(Level.Trial)
        public void agent() {
            AgentCheck.awaitInstrumentation();
            recordedBefore = AgentCheck.recordedWaits();
        }

        @TearDown(Level.Trial)
        public void instrumentationSawContention() {
            if (AgentCheck.expected() && AgentCheck.recordedWaits() <= recordedBefore) {
                throw new IllegalStateException("agent attached but it recorded no contended wait");
            }
        }
    }

    @Benchmark
    public long reentrantLockUncontended(Uncontended s) {
        s.lock.lock();
        try {
            return ++s.counter;
        } finally {
            s.lock.unlock();
        }
    }

    @Benchmark
    public long synchronizedUncontended(Uncontended s) {
        synchronized (s.monitor) {
            return ++s.counter;
        }
    }

    @Benchmark
    public long readLockUncontended(Uncontended s) {
        ReentrantReadWriteLock.ReadLock r = s.rw.readLock();
        r.lock();
        try {
            return s.counter;
        } finally {
            r.unlock();
        }
    }

    @Benchmark
    @Group("reentrantLockContended2")
    @GroupThreads(2)
    public long reentrantLockContended(Shared s) {
        s.lock.lock();
        try {
            return ++s.counter;
        } finally {
            s.lock.unlock();
        }
    }
}
