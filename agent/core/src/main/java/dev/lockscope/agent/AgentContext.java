package dev.lockscope.agent;

import dev.lockscope.agent.transport.DashboardLink;
import dev.lockscope.bridge.AgentThread;
import dev.lockscope.protocol.JsonWriter;
import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** What a {@link Feature} may use: options, instrumentation, the dashboard link and the command table. */
public final class AgentContext {
    private final AgentOptions options;
    private final Instrumentation instrumentation;
    private final JvmIdentity identity;
    private final DashboardLink link;
    private final FeatureSwitches switches;
    private final OverheadGovernor governor;
    private final Map<String, CommandHandler> commands = new ConcurrentHashMap<>();

    AgentContext(AgentOptions options, Instrumentation instrumentation, JvmIdentity identity, DashboardLink link,
                 FeatureSwitches switches) {
        this.options = options;
        this.instrumentation = instrumentation;
        this.identity = identity;
        this.link = link;
        this.switches = switches;
        this.governor = new OverheadGovernor(options, this::sendEvent);
    }

    /** Which capabilities are on; a feature reads its initial state here and gets changes by {@link Feature#setSwitch}. */
    public FeatureSwitches switches() {
        return switches;
    }

    /** The overhead governor the lock recording reports its rate to. */
    public OverheadGovernor governor() {
        return governor;
    }

    public AgentOptions options() {
        return options;
    }

    public Instrumentation instrumentation() {
        return instrumentation;
    }

    public JvmIdentity identity() {
        return identity;
    }

    /** Registers the handler for dashboard requests named {@code command}. */
    public void command(String command, CommandHandler handler) {
        commands.put(command, handler);
    }

    CommandHandler handler(String command) {
        return commands.get(command);
    }

    /**
     * Queues an event ({@code {"type":"event","kind":kind,...}}) for the dashboard. Never blocks; when the
     * queue is full the event is dropped and counted.
     */
    public boolean sendEvent(String kind, Consumer<JsonWriter> body) {
        return link.sendEvent(kind, body);
    }

    /** Starts a daemon thread that the agent's instrumentation ignores. */
    public static Thread startThread(String name, Runnable task) {
        Thread t = new AgentThread(task, "lockscope-" + name);
        t.start();
        return t;
    }
}
