// The approval form in Java Swing (app/sandbox/toolkits/spec.py), reporting its own state.
//
//   java -cp <classes> ApprovalForm --spec form.tsv [--report-port N] [--title T]
//
// The fields come from the spec file (spec.spec_lines(): one field a line, tab-separated),
// so this form is the same as the GTK, Tk, Qt and web ones. Prints `READY port=N` once the
// window is shown. GET /state answers the spec's state document; POST /reset clears the
// form and puts focus in the first field. Widgets are only touched on the event thread:
// the HTTP thread asks it with invokeAndWait. Labels are tied with setLabelFor (AT-SPI
// labelled-by through the ATK bridge), except the fields whose spec says labelled = 0.
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import javax.swing.*;
import java.awt.*;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.*;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

public class ApprovalForm {
    static final String NONE_CHOSEN = "（请选择）";
    static final String SUBMITTED = "已提交";

    static final class Field {
        String name, label, kind, condField, condValue, initial;
        String[] options;
        boolean labelled;
        int tabPos;
        JComponent holder;                 // what holds the value
        List<JComponent> stops = new ArrayList<>();   // what Tab stops at
        ButtonGroup group;
        List<JRadioButton> radios = new ArrayList<>();
    }

    final List<Field> fields = new ArrayList<>();
    final Map<Component, String> owner = new HashMap<>();
    final String title;
    JFrame frame;
    JLabel status;
    JButton submit;
    String statusText = "";
    Map<String, Object> submitted = null;
    String lastDoc = null;
    int seq = 0;

    ApprovalForm(String title, List<String> specLines) {
        this.title = title;
        for (String line : specLines) {
            if (line.isEmpty()) continue;
            String[] c = line.split("\t", -1);
            Field f = new Field();
            f.name = c[0]; f.label = c[1]; f.kind = c[2];
            f.options = c[3].isEmpty() ? new String[0] : c[3].split("\\|");
            f.labelled = c[4].equals("1");
            if (!c[5].isEmpty()) {
                f.condField = c[5].substring(0, c[5].indexOf('='));
                f.condValue = c[5].substring(c[5].indexOf('=') + 1);
            }
            f.initial = c[6];
            f.tabPos = Integer.parseInt(c[7]);
            fields.add(f);
        }
    }

    Field field(String name) {
        for (Field f : fields) if (f.name.equals(name)) return f;
        throw new IllegalArgumentException(name);
    }

    void build() {
        frame = new JFrame(title);
        frame.setDefaultCloseOperation(WindowConstants.EXIT_ON_CLOSE);
        JPanel root = new JPanel(new BorderLayout());
        JLabel heading = new JLabel("城市审批系统 · 受理登记");
        heading.setOpaque(true);
        heading.setBackground(new Color(0x1f4e8c));
        heading.setForeground(Color.WHITE);
        heading.setFont(heading.getFont().deriveFont(Font.BOLD, 18f));
        heading.setBorder(BorderFactory.createEmptyBorder(10, 16, 10, 16));
        root.add(heading, BorderLayout.NORTH);
        JPanel grid = new JPanel(new GridBagLayout());
        grid.setBorder(BorderFactory.createEmptyBorder(12, 16, 12, 16));
        int row = 0;
        for (Field f : fields) {
            GridBagConstraints lc = new GridBagConstraints();
            lc.gridx = 0; lc.gridy = row; lc.anchor = GridBagConstraints.EAST;
            lc.insets = new Insets(4, 0, 4, 14);
            GridBagConstraints wc = new GridBagConstraints();
            wc.gridx = 1; wc.gridy = row; wc.weightx = 1; wc.insets = new Insets(4, 0, 4, 0);
            wc.fill = GridBagConstraints.HORIZONTAL; wc.anchor = GridBagConstraints.WEST;
            JLabel label = null;
            if (!f.kind.equals("check")) {
                label = new JLabel(f.label + "：");
                grid.add(label, lc);
            }
            switch (f.kind) {
                case "text":
                case "readonly": {
                    JTextField t = new JTextField(f.initial, 30);
                    t.setEnabled(!f.kind.equals("readonly"));
                    f.holder = t; f.stops.add(t);
                    grid.add(t, wc);
                    break;
                }
                case "password": {
                    JPasswordField t = new JPasswordField(30);
                    f.holder = t; f.stops.add(t);
                    grid.add(t, wc);
                    break;
                }
                case "multiline": {
                    JTextArea a = new JTextArea(3, 30);
                    a.setLineWrap(true);
                    // Tab leaves the box (a JTextArea would insert a tab character)
                    a.setFocusTraversalKeys(KeyboardFocusManager.FORWARD_TRAVERSAL_KEYS, null);
                    a.setFocusTraversalKeys(KeyboardFocusManager.BACKWARD_TRAVERSAL_KEYS, null);
                    f.holder = a; f.stops.add(a);
                    grid.add(new JScrollPane(a), wc);
                    break;
                }
                case "radio": {
                    JPanel p = new JPanel(new FlowLayout(FlowLayout.LEFT, 0, 0));
                    p.getAccessibleContext().setAccessibleName(f.label);
                    f.group = new ButtonGroup();
                    for (String o : f.options) {
                        JRadioButton b = new JRadioButton(o);
                        f.group.add(b); f.radios.add(b); f.stops.add(b);
                        p.add(b); p.add(Box.createHorizontalStrut(18));
                        owner.put(b, f.name);
                    }
                    f.holder = p;
                    grid.add(p, wc);
                    break;
                }
                case "select": {
                    String[] items = new String[f.options.length + 1];
                    items[0] = NONE_CHOSEN;
                    System.arraycopy(f.options, 0, items, 1, f.options.length);
                    JComboBox<String> c = new JComboBox<>(items);
                    c.addActionListener(e -> applyConditions());
                    f.holder = c; f.stops.add(c);
                    grid.add(c, wc);
                    break;
                }
                case "check": {
                    JCheckBox c = new JCheckBox(f.label);
                    f.holder = c; f.stops.add(c);
                    grid.add(c, wc);
                    break;
                }
                default:
                    throw new IllegalArgumentException(f.kind);
            }
            owner.putIfAbsent(f.holder, f.name);
            for (JComponent s : f.stops) owner.putIfAbsent(s, f.name);
            if (label != null && f.labelled) label.setLabelFor(f.holder);
            row++;
        }
        status = new JLabel("");
        submit = new JButton("提交");
        submit.addActionListener(e -> {
            submitted = values();
            statusText = SUBMITTED;
            status.setText(statusText);
        });
        owner.put(submit, "submit");
        JPanel bottom = new JPanel(new BorderLayout());
        bottom.add(status, BorderLayout.CENTER);
        bottom.add(submit, BorderLayout.EAST);
        GridBagConstraints bc = new GridBagConstraints();
        bc.gridx = 1; bc.gridy = row; bc.fill = GridBagConstraints.HORIZONTAL;
        bc.insets = new Insets(8, 0, 0, 0);
        grid.add(bottom, bc);
        GridBagConstraints filler = new GridBagConstraints();
        filler.gridx = 0; filler.gridy = row + 1; filler.weighty = 1;
        grid.add(Box.createGlue(), filler);
        root.add(grid, BorderLayout.CENTER);
        frame.setContentPane(root);
        frame.setFocusTraversalPolicy(new SpecOrder());
        applyConditions();
        frame.setSize(760, 860);
    }

    /** Tab order from the spec, not from the drawing (邮政编码 comes later). A radio
     *  group is one stop (its chosen button, else its first), as in Swing's own
     *  policies: the radio buttons' Tab handling relies on that. */
    final class SpecOrder extends FocusTraversalPolicy {
        List<Field> sorted() {
            List<Field> out = new ArrayList<>();
            for (Field f : fields) if (f.tabPos >= 0) out.add(f);
            out.sort(Comparator.comparingInt(f -> f.tabPos));
            return out;
        }
        Component stopOf(Field f) {
            if (f.kind.equals("radio")) {
                for (JRadioButton b : f.radios) if (b.isSelected()) return b;
            }
            return f.stops.get(0);
        }
        int indexOf(List<Field> order, Component c) {
            for (int i = 0; i < order.size(); i++) {
                if (order.get(i).stops.contains(c)) return i;
            }
            return c == submit ? order.size() : -1;
        }
        boolean ok(Component c) {
            return c.isEnabled() && c.isShowing() && c.isFocusable();
        }
        Component step(Component from, int dir) {
            List<Field> order = sorted();
            int n = order.size() + 1;                  // the fields, then the submit button
            int i = from == null ? (dir > 0 ? -1 : n) : indexOf(order, from);
            for (int k = 1; k <= n; k++) {
                int j = Math.floorMod(i + dir * k, n);
                Component c = j == order.size() ? submit : stopOf(order.get(j));
                if (ok(c)) return c;
            }
            return null;
        }
        public Component getComponentAfter(Container root, Component c) { return step(c, 1); }
        public Component getComponentBefore(Container root, Component c) { return step(c, -1); }
        public Component getFirstComponent(Container root) { return step(null, 1); }
        public Component getLastComponent(Container root) { return step(null, -1); }
        public Component getDefaultComponent(Container root) { return getFirstComponent(root); }
    }

    void applyConditions() {
        Map<String, Object> v = values();
        for (Field f : fields) {
            if (f.condField == null) continue;
            f.holder.setEnabled(f.condValue.equals(v.get(f.condField)));
        }
    }

    Map<String, Object> values() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Field f : fields) {
            switch (f.kind) {
                case "radio": {
                    String chosen = "";
                    for (JRadioButton b : f.radios) if (b.isSelected()) chosen = b.getText();
                    out.put(f.name, chosen);
                    break;
                }
                case "select": {
                    Object s = ((JComboBox<?>) f.holder).getSelectedItem();
                    out.put(f.name, s == null || NONE_CHOSEN.equals(s) ? "" : s.toString());
                    break;
                }
                case "check":
                    out.put(f.name, ((JCheckBox) f.holder).isSelected());
                    break;
                default:
                    out.put(f.name, ((javax.swing.text.JTextComponent) f.holder).getText());
            }
        }
        return out;
    }

    String focused() {
        Component c = KeyboardFocusManager.getCurrentKeyboardFocusManager().getFocusOwner();
        while (c != null) {
            if (owner.containsKey(c)) return owner.get(c);
            c = c.getParent();
        }
        return null;
    }

    String stateJson() {
        StringBuilder b = new StringBuilder();
        b.append("{\"toolkit\":\"java\",\"title\":").append(q(title));
        b.append(",\"fields\":").append(obj(values()));
        Map<String, Object> en = new LinkedHashMap<>();
        for (Field f : fields) en.put(f.name, f.holder.isEnabled());
        b.append(",\"enabled\":").append(obj(en));
        String fo = focused();
        b.append(",\"focused\":").append(fo == null ? "null" : q(fo));
        b.append(",\"active\":").append(frame.isActive());
        b.append(",\"status\":").append(q(statusText));
        b.append(",\"submitted\":").append(submitted == null ? "null" : obj(submitted));
        String doc = b.toString();
        if (!doc.equals(lastDoc)) { lastDoc = doc; seq++; }
        return doc + ",\"seq\":" + seq + "}";
    }

    void reset() {
        for (Field f : fields) {
            switch (f.kind) {
                case "radio": f.group.clearSelection(); break;
                case "select": ((JComboBox<?>) f.holder).setSelectedIndex(0); break;
                case "check": ((JCheckBox) f.holder).setSelected(false); break;
                default: ((javax.swing.text.JTextComponent) f.holder).setText(f.initial);
            }
        }
        submitted = null;
        statusText = "";
        status.setText("");
        applyConditions();
        firstStop().requestFocusInWindow();
    }

    JComponent firstStop() {
        for (Field f : fields) if (f.tabPos == 0) return f.stops.get(0);
        throw new IllegalStateException("no field is first in the tab order");
    }

    // ------------------------------------------------------------ JSON
    static String q(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (ch < 0x20) b.append(String.format("\\u%04x", (int) ch));
                    else b.append(ch);     // surrogate pairs pass through as UTF-16
            }
        }
        return b.append('"').toString();
    }

    static String obj(Map<String, Object> m) {
        StringBuilder b = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, Object> e : m.entrySet()) {
            if (!first) b.append(',');
            first = false;
            b.append(q(e.getKey())).append(':');
            Object v = e.getValue();
            b.append(v instanceof Boolean ? v.toString() : q(String.valueOf(v)));
        }
        return b.append('}').toString();
    }

    // ------------------------------------------------------------ HTTP
    static <T> T onEdt(java.util.concurrent.Callable<T> fn) throws Exception {
        AtomicReference<T> out = new AtomicReference<>();
        AtomicReference<Exception> err = new AtomicReference<>();
        SwingUtilities.invokeAndWait(() -> {
            try { out.set(fn.call()); } catch (Exception e) { err.set(e); }
        });
        if (err.get() != null) throw err.get();
        return out.get();
    }

    void send(HttpExchange ex, int code, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream os = ex.getResponseBody()) { os.write(bytes); }
    }

    HttpServer serve(int port) throws IOException {
        HttpServer server = HttpServer.create(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/", ex -> {
            try {
                String path = ex.getRequestURI().getPath();
                ex.getRequestBody().readAllBytes();
                if (path.equals("/state") && ex.getRequestMethod().equals("GET")) {
                    send(ex, 200, onEdt(this::stateJson));
                } else if (path.equals("/reset") && ex.getRequestMethod().equals("POST")) {
                    send(ex, 200, onEdt(() -> { reset(); return stateJson(); }));
                } else {
                    send(ex, 404, "{\"error\":\"not found\"}");
                }
            } catch (Exception e) {
                send(ex, 500, "{\"error\":" + q(String.valueOf(e)) + "}");
            } finally {
                ex.close();
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "report-server");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return server;
    }

    public static void main(String[] args) throws Exception {
        String specPath = null, title = "城市审批系统 - 受理登记（java）";
        int port = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--spec": specPath = args[++i]; break;
                case "--title": title = args[++i]; break;
                case "--report-port": port = Integer.parseInt(args[++i]); break;
                default:
                    System.err.println("usage: ApprovalForm --spec FILE [--report-port N] [--title T]");
                    System.exit(2);
            }
        }
        if (specPath == null) {
            System.err.println("ApprovalForm: --spec FILE is required (spec.spec_lines())");
            System.exit(2);
        }
        List<String> lines = Files.readAllLines(Paths.get(specPath), StandardCharsets.UTF_8);
        ApprovalForm form = new ApprovalForm(title, lines);
        SwingUtilities.invokeAndWait(form::build);
        HttpServer server = form.serve(port);
        SwingUtilities.invokeAndWait(() -> {
            form.frame.setVisible(true);
            form.frame.toFront();
            form.firstStop().requestFocusInWindow();
        });
        System.out.println("READY port=" + server.getAddress().getPort());
        System.out.flush();
    }
}
