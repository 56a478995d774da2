package dev.lockscope.bench.macro;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.OperatingSystemMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Map;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * Bytes the whole process allocated on the heap, every thread included (dead ones too, unlike the per-thread
 * counters of JDK 17): at each GC, heap used before it minus heap used after the previous one is what was
 * allocated in between; between GCs, the growth since the last one. Promotions move bytes between pools and do
 * not change the total. Error: at most the unused part of the TLABs handed out, a few MB against GBs.
 *
 * <p>Thread-safety: GC notifications arrive on a JMX thread; readers and that thread share this monitor.
 */
final class AllocationMeter {
    private final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).toList();
    private final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
    private long allocatedBeforeLastGc;
    private long usedAfterLastGc;
    private long gcsSeen;

    private AllocationMeter() {}

    static AllocationMeter install() {
        AllocationMeter m = new AllocationMeter();
        synchronized (m) {
            m.usedAfterLastGc = m.heapUsedNow();
        }
        for (GarbageCollectorMXBean gc : m.collectors) {
            ((NotificationEmitter) gc).addNotificationListener((n, h) -> {
                if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                    GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                    m.gcDone(info.getGcInfo().getMemoryUsageBeforeGc(), info.getGcInfo().getMemoryUsageAfterGc());
                }
            }, null, null);
        }
        return m;
    }

    private synchronized void gcDone(Map<String, MemoryUsage> before, Map<String, MemoryUsage> after) {
        allocatedBeforeLastGc += Math.max(0, heapUsed(before) - usedAfterLastGc);
        usedAfterLastGc = heapUsed(after);
        gcsSeen++;
    }

    /**
     * GC notifications arrive after the GC, on another thread: read only once every GC so far was accounted, or
     * the heap already emptied by a GC not yet reported would make the figure go backwards.
     */
    long allocatedBytes() throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            long gcs = gcCount();
            synchronized (this) {
                long used = heapUsedNow();
                // No GC between the two counts, and every one of them accounted: "used" belongs to this epoch.
                if (gcsSeen >= gcs && gcCount() == gcs || System.nanoTime() > deadline) {
                    return allocatedBeforeLastGc + Math.max(0, used - usedAfterLastGc);
                }
            }
            Thread.sleep(10);
        }
    }

    private long gcCount() {
        return collectors.stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    }

    long cpuNs() {
        return os.getProcessCpuTime();
    }

    private long heapUsed(Map<String, MemoryUsage> byPool) {
        long sum = 0;
        for (MemoryPoolMXBean p : heapPools) {
            MemoryUsage u = byPool.get(p.getName());
            sum += u == null ? 0 : u.getUsed();
        }
        return sum;
    }

    private long heapUsedNow() {
        long sum = 0;
        for (MemoryPoolMXBean p : heapPools) {
            sum += p.getUsage().getUsed();
        }
        return sum;
    }
}
