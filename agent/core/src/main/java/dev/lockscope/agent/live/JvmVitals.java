package dev.lockscope.agent.live;

import dev.lockscope.agent.AgentContext;
import dev.lockscope.agent.Feature;
import dev.lockscope.protocol.JsonWriter;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.List;

/**
 * The once-a-second vital signs every JVM page shows: threads by state, CPU, context switches, heap and GC.
 * Counters (GC count and time, CPU time, context switches) are cumulative; rates are derived by the reader.
 */
public final class JvmVitals implements Feature {
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final List<GarbageCollectorMXBean> gcs = ManagementFactory.getGarbageCollectorMXBeans();
    private final ContextSwitches contextSwitches = new ContextSwitches();

    @Override
    public String name() {
        return "vitals";
    }

    @Override
    public void start(AgentContext ctx) {
        // Nothing to install: everything is read from MXBeans and /proc on demand.
    }

    @Override
    public void writeSample(JsonWriter w) {
        int runnable = 0;
        int blocked = 0;
        int waiting = 0;
        int timedWaiting = 0;
        // maxDepth 0: states only, no stack walk, so this stays cheap with thousands of threads.
        for (ThreadInfo ti : threads.getThreadInfo(threads.getAllThreadIds(), 0)) {
            if (ti == null) {
                continue;
            }
            switch (ti.getThreadState()) {
                case RUNNABLE -> runnable++;
                case BLOCKED -> blocked++;
                case WAITING -> waiting++;
                case TIMED_WAITING -> timedWaiting++;
                default -> { }
            }
        }
        w.name("threads").beginObject()
                .field("RUNNABLE", runnable).field("BLOCKED", blocked)
                .field("WAITING", waiting).field("TIMED_WAITING", timedWaiting)
                .field("live", threads.getThreadCount()).field("daemon", threads.getDaemonThreadCount())
                .field("peak", threads.getPeakThreadCount()).field("started", threads.getTotalStartedThreadCount())
                .endObject();
        w.name("cpu").beginObject()
                .field("processCpuLoad", os.getProcessCpuLoad())
                .field("systemCpuLoad", os.getCpuLoad())
                .field("processCpuTimeNs", os.getProcessCpuTime())
                .field("availableProcessors", os.getAvailableProcessors())
                .endObject();
        ContextSwitches.Rates cs = contextSwitches.sample();
        if (cs != null) {
            w.name("contextSwitches").beginObject()
                    .field("voluntaryPerSec", cs.voluntaryPerSec())
                    .field("involuntaryPerSec", cs.involuntaryPerSec())
                    .endObject();
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        w.name("heap").beginObject()
                .field("usedBytes", heap.getUsed()).field("committedBytes", heap.getCommitted())
                .field("maxBytes", heap.getMax()).endObject();
        long gcCount = 0;
        long gcTime = 0;
        for (GarbageCollectorMXBean gc : gcs) {
            gcCount += Math.max(0, gc.getCollectionCount());
            gcTime += Math.max(0, gc.getCollectionTime());
        }
        w.name("gc").beginObject().field("count", gcCount).field("timeMs", gcTime).endObject();
    }
}
