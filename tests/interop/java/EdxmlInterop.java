// Test peer for scripts/test.d/45-edxml-official.sh: drives the official edXML library
// (EdXML102-0.0.3.jar, com.vnpt.xml.*, read from ../shared/corpus/vxp-sdk/lib at run time, never
// copied into the project) in both directions.
//
//   build DIR FILE...        builds every package kind with the official builders (new, replace,
//                            revocation, update; statuses 01–06, 13, 15, 16) into DIR/<kind>.edxml
//                            and writes what vanthu must read from each to DIR/<kind>.expect.json
//   parse-package FILE       reads FILE with the official EdXmlParser, prints it as JSON
//   parse-status FILE        reads FILE with the official StatusXmlParser, prints it as JSON
//
// The JSON has the shape of `vanthu edxml inspect --json` / `vanthu edxml status --json`, made
// from the library's own object model, so the script compares field by field. Run it with
// -Duser.timezone=Asia/Ho_Chi_Minh: the library formats and parses dates in the JVM's zone and
// edXML times are Vietnamese local time.
import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.vnpt.xml.base.Content;
import com.vnpt.xml.base.attachment.Attachment;
import com.vnpt.xml.base.header.Bussiness;
import com.vnpt.xml.base.header.BussinessDocumentInfo;
import com.vnpt.xml.base.header.Header;
import com.vnpt.xml.base.header.OrganIdList;
import com.vnpt.xml.base.header.Organization;
import com.vnpt.xml.base.header.Receiver;
import com.vnpt.xml.base.header.ReceiverList;
import com.vnpt.xml.base.header.ReplacementInfo;
import com.vnpt.xml.base.header.ReplacementInfoList;
import com.vnpt.xml.base.header.ResponseFor;
import com.vnpt.xml.base.header.SignerInfo;
import com.vnpt.xml.base.header.StaffInfo;
import com.vnpt.xml.base.header.TraceHeader;
import com.vnpt.xml.base.header.TraceHeaderList;
import com.vnpt.xml.ed.Ed;
import com.vnpt.xml.ed.builder.EdXmlBuilder;
import com.vnpt.xml.ed.header.Code;
import com.vnpt.xml.ed.header.DocumentType;
import com.vnpt.xml.ed.header.MessageHeader;
import com.vnpt.xml.ed.header.OtherInfo;
import com.vnpt.xml.ed.header.PromulgationInfo;
import com.vnpt.xml.ed.parser.EdXmlParser;
import com.vnpt.xml.status.Status;
import com.vnpt.xml.status.builder.StatusXmlBuilder;
import com.vnpt.xml.status.header.MessageStatus;
import com.vnpt.xml.status.parser.StatusXmlParser;

public class EdxmlInterop {
    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("build")) {
            build(new File(args[1]), Arrays.copyOfRange(args, 2, args.length));
        } else if (args.length == 2 && args[0].equals("parse-package")) {
            try (InputStream in = new FileInputStream(args[1])) {
                Ed ed = EdXmlParser.getInstance().parse(in);
                if (ed.getHeader() == null || ed.getHeader().getMessageHeader() == null) {
                    throw new IllegalStateException("official parser found no MessageHeader in " + args[1]);
                }
                System.out.println(json(packageJson(ed, true)));
            }
        } else if (args.length == 2 && args[0].equals("parse-status")) {
            try (InputStream in = new FileInputStream(args[1])) {
                Status st = StatusXmlParser.parse(in);
                if (st.getHeader() == null || !(st.getHeader().getMessageHeader() instanceof MessageStatus)) {
                    throw new IllegalStateException("official parser found no status header in " + args[1]);
                }
                System.out.println(json(statusJson((MessageStatus) st.getHeader().getMessageHeader())));
            }
        } else {
            System.err.println("usage: EdxmlInterop build DIR FILE... | parse-package FILE | parse-status FILE");
            System.exit(2);
        }
    }

    // ---------------------------------------------------------------- building

    static final Organization VPCP = new Organization("000.00.00.G22", "Văn phòng Chính phủ", "Văn phòng Chính phủ",
            "Số 1 Hoàng Hoa Thám, Quận Ba Đình, Hà Nội", "vpcp@gov.vn", "8043100", "048989898789", "vpcp.vn");
    static final Organization NGHE_AN = new Organization("000.00.00.H41", "UBND Tỉnh Nghệ An", "UBND Tỉnh Nghệ An",
            "Số 03, đường Trường Thi, Thành phố Vinh, Tỉnh Nghệ An", "nghean@gov.vn", "0383 840418", "0383 843049",
            "www.nghean.vn");
    static final Organization KON_TUM = new Organization("000.01.20.H34", "UBND Tỉnh Kon Tum", "Sở Nội vụ",
            "Kon Tum", "snv@kontum.gov.vn", "0260 3862 123", "", "snv.kontum.gov.vn");
    static final String ORIGINAL_ID = "000.00.00.G22,2026/03/02,7816/VPCP-TTĐT";

    static Date day(int y, int m, int d) {
        Calendar c = Calendar.getInstance();
        c.clear();
        c.set(y, m - 1, d);
        return c.getTime();
    }

    static Date at(int y, int m, int d, int hh, int mm, int ss) {
        Calendar c = Calendar.getInstance();
        c.clear();
        c.set(y, m - 1, d, hh, mm, ss);
        return c.getTime();
    }

    static StaffInfo staff() {
        StaffInfo s = new StaffInfo();
        s.setDepartment("Phòng Hành chính - Tổ chức");
        s.setStaff("Nguyễn Thị Ngọc Trâm");
        s.setEmail("vanthu@vpcp.gov.vn");
        s.setMobile("84912000001");
        return s;
    }

    /** One document package: `kind` 0 new, 1 revocation, 2 update, 3 replace. */
    static Ed document(int kind, String number, String documentId, List<File> files) {
        Ed ed = new Ed();
        MessageHeader h = new MessageHeader(VPCP, new ArrayList<>(Arrays.asList(KON_TUM, NGHE_AN)),
                new Code(number, "VPCP-TTĐT"), new PromulgationInfo("Hà Nội", day(2026, 3, 2)),
                new DocumentType(1, "Công văn"), "V/v kết nối, liên thông phần mềm quản lý văn bản (" + number + ")",
                "Nội dung: kết nối & liên thông <phần mềm> quản lý văn bản", null,
                new SignerInfo("KT. BỘ TRƯỞNG, CHỦ NHIỆM", "PHÓ CHỦ NHIỆM", "Nguyễn Văn Bình"), day(2026, 3, 20),
                null, null);
        h.addToPlace("Các bộ, cơ quan ngang bộ");
        h.addToPlace("Lưu: VT, KSTT");
        h.setSteeringType(1);
        OtherInfo o = new OtherInfo();
        o.setPriority(2);
        o.setPromulgationAmount(3);
        o.setPageAmount(7);
        o.setSphereOfPromulgation("Liên thông văn bản quốc gia");
        o.setTyperNotation("TVC");
        o.setAppendixes(new ArrayList<>(Arrays.asList("Phụ lục I", "Phụ lục II")));
        h.setOtherInfo(o);
        h.setDocumentId(documentId);
        if (kind == 0) {
            h.addResponseFor(new ResponseFor("000.01.20.H34", "267/SNV-VP", day(2026, 2, 6),
                    "000.01.20.H34,2026/02/06,267/SNV-VP"));
        }
        TraceHeaderList trace = new TraceHeaderList();
        TraceHeader t = new TraceHeader();
        t.setOrganId("000.00.00.G22");
        t.setTimestamp(at(2026, 3, 2, 14, 5, 9));
        trace.addTraceHeader(t);
        Bussiness b = new Bussiness();
        b.setBussinessDocType(Integer.toString(kind));
        b.setPaper("0");
        b.addStaffInfo(staff());
        switch (kind) {
            case 0:
                b.setBussinessDocReason("Văn bản điện tử mới");
                break;
            case 1:
                b.setBussinessDocReason("Thu hồi văn bản điện tử: ban hành nhầm");
                break;
            case 2: {
                b.setBussinessDocReason("Cập nhật văn bản điện tử");
                b.setDocumentId(ORIGINAL_ID);
                BussinessDocumentInfo info = new BussinessDocumentInfo();
                info.setdocumentInfo("1");
                info.setdocumentReceiver("1");
                ReceiverList rl = new ReceiverList();
                rl.addReceiver(new Receiver("000.00.00.H41", "0"));
                rl.addReceiver(new Receiver("000.00.00.H14", "1"));
                info.addreceiverList(rl);
                b.addBussinessDocumentInfo(info);
                break;
            }
            case 3: {
                b.setBussinessDocReason("Văn bản thay thế");
                ReplacementInfoList list = new ReplacementInfoList();
                OrganIdList organs = new OrganIdList();
                organs.addOrganId("000.01.20.H34");
                organs.addOrganId("000.00.00.H41");
                list.addReplacementInfo(new ReplacementInfo(ORIGINAL_ID, organs));
                b.addReplacementInfoList(list);
                break;
            }
            default:
                throw new IllegalArgumentException("kind " + kind);
        }
        trace.setBussiness(b);
        ed.setHeader(new Header(h, trace));
        int i = 0;
        for (File f : files) {
            i++;
            ed.addAttachment(new Attachment("att" + i, f.getName(), "Tệp " + i + ": " + f.getName(), f));
        }
        return ed;
    }

    static MessageStatus status(String code, String description) {
        MessageStatus m = new MessageStatus();
        m.setFrom(KON_TUM);
        m.setResponseFor(new ResponseFor("000.00.00.G22", "7816/VPCP-TTĐT", day(2026, 3, 2), ORIGINAL_ID));
        m.setStatusCode(code);
        m.setDescription(description);
        m.setTimestamp(at(2026, 3, 3, 8, 30, Integer.parseInt(code)));
        StaffInfo s = new StaffInfo();
        s.setDepartment("Văn phòng Sở - Bộ phận Văn thư");
        s.setStaff("Phạm Minh Châu");
        s.setEmail("chaupm@kontum.gov.vn");
        s.setMobile("84910000000");
        m.setStaffInfo(s);
        return m;
    }

    static void build(File dir, String[] files) throws Exception {
        dir.mkdirs();
        List<File> atts = new ArrayList<>();
        for (String f : files) {
            atts.add(new File(f));
        }
        Object[][] docs = {
            {"new", 0, "7816", ORIGINAL_ID},
            {"revocation", 1, "7816", ORIGINAL_ID},
            {"update", 2, "7816", ORIGINAL_ID},
            {"replace", 3, "7900", "000.00.00.G22,2026/03/02,7900/VPCP-TTĐT"},
            // Two more documents for the exchange through a hub: one recalled, one refused.
            {"new-7817", 0, "7817", "000.00.00.G22,2026/03/02,7817/VPCP-TTĐT"},
            {"revocation-7817", 1, "7817", "000.00.00.G22,2026/03/02,7817/VPCP-TTĐT"},
            {"new-7818", 0, "7818", "000.00.00.G22,2026/03/02,7818/VPCP-TTĐT"},
        };
        for (Object[] d : docs) {
            Ed ed = document((Integer) d[1], (String) d[2], (String) d[3], atts);
            Map<String, Object> expect = packageJson(ed, false);
            Content c = EdXmlBuilder.build(ed, dir.getPath());
            place(c, new File(dir, d[0] + ".edxml"));
            write(new File(dir, d[0] + ".expect.json"), json(expect));
        }
        String[][] statuses = {
            {"01", "Đã đến - Phần mềm QLVB đã nhận nhưng văn thư chưa xử lý"},
            {"02", "Từ chối tiếp nhận: gửi nhầm đơn vị"},
            {"03", "Đã tiếp nhận: văn thư đã đăng ký, trình lãnh đạo"},
            {"04", "Phân công: giao Phòng Tổ chức cán bộ chủ trì xử lý"},
            {"05", "Đang xử lý"},
            {"06", "Hoàn thành"},
            {"13", "Thu hồi văn bản: ban hành nhầm"},
            {"15", "Đồng ý thu hồi/cập nhật"},
            {"16", "Từ chối thu hồi: văn bản đã được xử lý & hoàn thành"},
        };
        for (String[] s : statuses) {
            MessageStatus m = status(s[0], s[1]);
            Map<String, Object> expect = statusJson(m);
            Header header = new Header();
            header.setMessageHeader(m);
            Content c = StatusXmlBuilder.build(new Status(header), dir.getPath());
            place(c, new File(dir, "status-" + s[0] + ".edxml"));
            write(new File(dir, "status-" + s[0] + ".expect.json"), json(expect));
        }
    }

    static void place(Content c, File target) throws Exception {
        Files.move(c.getContent().toPath(), target.toPath(), StandardCopyOption.REPLACE_EXISTING);
    }

    static void write(File f, String s) throws Exception {
        Files.write(f.toPath(), (s + "\n").getBytes(StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------- object model → JSON

    static String date(Date d) {
        return d == null ? null : new SimpleDateFormat("yyyy-MM-dd").format(d);
    }

    /** RFC 3339 in the JVM's zone, to the second: what vanthu prints for an edXML time. */
    static String timestamp(Date d) {
        return d == null ? null : new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ssXXX").format(d);
    }

    static Object num(String s) {
        if (s == null || s.trim().isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return s;
        }
    }

    static Map<String, Object> org(Organization o) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (o == null) {
            return null;
        }
        m.put("organ_id", o.getOrganId());
        m.put("organ_name", o.getOrganName());
        m.put("organ_in_charge", o.getOrganizationInCharge());
        m.put("organ_add", o.getOrganAdd());
        m.put("email", o.getEmail());
        m.put("telephone", o.getTelephone());
        m.put("fax", o.getFax());
        m.put("website", o.getWebsite());
        return m;
    }

    static Map<String, Object> responseFor(ResponseFor r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("organ_id", r.getOrganId());
        m.put("code", r.getCode());
        m.put("promulgation_date", date(r.getPromulgationDate()));
        m.put("document_id", r.getDocumentId());
        return m;
    }

    static Map<String, Object> staffJson(StaffInfo s) {
        if (s == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("department", s.getDepartment());
        m.put("staff", s.getStaff());
        m.put("mobile", s.getMobile());
        m.put("email", s.getEmail());
        return m;
    }

    static Map<String, Object> statusJson(MessageStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status_code", s.getStatusCode());
        m.put("description", s.getDescription());
        m.put("timestamp", timestamp(s.getTimestamp()));
        m.put("from", org(s.getFrom()));
        m.put("response_for", s.getResponseFor() == null ? null : responseFor(s.getResponseFor()));
        m.put("staff", staffJson(s.getStaffInfo()));
        return m;
    }

    static Map<String, Object> packageJson(Ed ed, boolean parsed) throws Exception {
        MessageHeader h = (MessageHeader) ed.getHeader().getMessageHeader();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("document_id", h.getDocumentId());
        m.put("from", org(h.getFrom()));
        List<Object> to = new ArrayList<>();
        if (h.getToes() != null) {
            for (Organization o : h.getToes()) {
                to.add(org(o));
            }
        }
        m.put("to", to);
        Map<String, Object> code = new LinkedHashMap<>();
        code.put("number", h.getCode() == null ? null : h.getCode().getCodeNumber());
        code.put("notation", h.getCode() == null ? null : h.getCode().getCodeNotation());
        m.put("code", code);
        Map<String, Object> prom = new LinkedHashMap<>();
        prom.put("place", h.getPromulgationInfo() == null ? null : h.getPromulgationInfo().getPlace());
        prom.put("date", h.getPromulgationInfo() == null ? null : date(h.getPromulgationInfo().getPromulgationDate()));
        m.put("promulgation", prom);
        Map<String, Object> type = new LinkedHashMap<>();
        type.put("type", h.getDocumentType() == null ? null : (long) h.getDocumentType().getType());
        type.put("type_name", h.getDocumentType() == null ? null : h.getDocumentType().getTypeName());
        m.put("document_type", type);
        m.put("subject", h.getSubject());
        m.put("content", h.getContent());
        Map<String, Object> signer = new LinkedHashMap<>();
        SignerInfo si = h.getSignerInfo();
        signer.put("competence", si == null ? null : si.getCompetence());
        signer.put("position", si == null ? null : si.getPosition());
        signer.put("full_name", si == null ? null : si.getFullName());
        m.put("signer", signer);
        m.put("due_date", date(h.getDueDate()));
        m.put("steering_type", (long) h.getSteeringType());
        m.put("to_places", h.getToPlaces() == null ? new ArrayList<>() : h.getToPlaces());
        OtherInfo o = h.getOtherInfo();
        if (o != null) {
            Map<String, Object> oi = new LinkedHashMap<>();
            oi.put("priority", (long) o.getPriority());
            oi.put("sphere_of_promulgation", o.getSphereOfPromulgation());
            oi.put("typer_notation", o.getTyperNotation());
            oi.put("promulgation_amount", (long) o.getPromulgationAmount());
            oi.put("page_amount", (long) o.getPageAmount());
            oi.put("appendixes", o.getAppendixes() == null ? new ArrayList<>() : o.getAppendixes());
            m.put("other_info", oi);
        } else {
            m.put("other_info", null);
        }
        List<Object> rfs = new ArrayList<>();
        if (h.getResponseFor() != null) {
            for (ResponseFor r : h.getResponseFor()) {
                rfs.add(responseFor(r));
            }
        }
        m.put("response_for", rfs);
        TraceHeaderList tl = ed.getHeader().getTraceHeaderList();
        List<Object> trace = new ArrayList<>();
        Map<String, Object> business = null;
        if (tl != null) {
            if (tl.getTraceHeaders() != null) {
                for (TraceHeader t : tl.getTraceHeaders()) {
                    Map<String, Object> tj = new LinkedHashMap<>();
                    tj.put("organ_id", t.getOrganId());
                    tj.put("timestamp", timestamp(t.getTimestamp()));
                    trace.add(tj);
                }
            }
            Bussiness b = tl.getBussiness();
            if (b != null) {
                business = new LinkedHashMap<>();
                business.put("document_id", b.getDocumentId());
                business.put("doc_type", num(b.getBussinessDocType()));
                business.put("reason", b.getBussinessDocReason());
                business.put("paper", num(b.getPaper()));
                business.put("staff", b.getStaffInfo() == null || b.getStaffInfo().isEmpty() ? null
                        : staffJson(b.getStaffInfo().get(0)));
                Object docInfo = null;
                Object docReceiver = null;
                List<Object> receivers = new ArrayList<>();
                if (b.getBussinessDocumentInfo() != null) {
                    for (BussinessDocumentInfo info : b.getBussinessDocumentInfo()) {
                        docInfo = num(info.getdocumentInfo());
                        docReceiver = num(info.getdocumentReceiver());
                        if (info.getreceiverList() == null) {
                            continue;
                        }
                        for (ReceiverList rl : info.getreceiverList()) {
                            if (rl.getReceiver() == null) {
                                continue;
                            }
                            for (Receiver r : rl.getReceiver()) {
                                Map<String, Object> rj = new LinkedHashMap<>();
                                rj.put("receiver_type", num(r.getReceiverType()));
                                rj.put("organ_id", r.getOrganId());
                                receivers.add(rj);
                            }
                        }
                    }
                }
                business.put("document_info", docInfo);
                business.put("document_receiver", docReceiver);
                business.put("receivers", receivers);
                List<Object> repl = new ArrayList<>();
                if (b.getReplacementInfoList() != null) {
                    for (ReplacementInfoList rl : b.getReplacementInfoList()) {
                        if (rl.getReplacementInfo() == null) {
                            continue;
                        }
                        for (ReplacementInfo r : rl.getReplacementInfo()) {
                            Map<String, Object> rj = new LinkedHashMap<>();
                            rj.put("document_id", r.getDocumentId());
                            rj.put("organ_ids", r.getOrganIdList() == null || r.getOrganIdList().getOrganId() == null
                                    ? new ArrayList<>() : r.getOrganIdList().getOrganId());
                            repl.add(rj);
                        }
                    }
                }
                business.put("replacements", repl);
            }
        }
        m.put("business", business);
        m.put("trace", trace);
        List<Object> atts = new ArrayList<>();
        if (ed.getAttachments() != null) {
            for (Attachment a : ed.getAttachments()) {
                Map<String, Object> aj = new LinkedHashMap<>();
                aj.put("name", a.getName());
                // The builder fills the content type from the file name; before building it is
                // not known yet, so it is only compared after a parse.
                if (parsed) {
                    aj.put("content_type", a.getContentType());
                }
                aj.put("description", a.getDescription());
                File f = a.getContent();
                aj.put("size", f == null ? null : f.length());
                aj.put("sha256", f == null ? null : sha256(f));
                atts.add(aj);
            }
        }
        m.put("attachments", atts);
        return m;
    }

    static String sha256(File f) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new FileInputStream(f)) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        StringBuilder sb = new StringBuilder();
        for (byte b : md.digest()) {
            sb.append(String.format("%02x", b));
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- a small JSON writer

    static String json(Object v) {
        StringBuilder sb = new StringBuilder();
        json(v, sb);
        return sb.toString();
    }

    @SuppressWarnings("unchecked")
    static void json(Object v, StringBuilder sb) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String) {
            sb.append('"');
            for (char c : ((String) v).toCharArray()) {
                switch (c) {
                    case '"': sb.append("\\\""); break;
                    case '\\': sb.append("\\\\"); break;
                    case '\n': sb.append("\\n"); break;
                    case '\r': sb.append("\\r"); break;
                    case '\t': sb.append("\\t"); break;
                    default:
                        if (c < 0x20) {
                            sb.append(String.format("\\u%04x", (int) c));
                        } else {
                            sb.append(c);
                        }
                }
            }
            sb.append('"');
        } else if (v instanceof Number || v instanceof Boolean) {
            sb.append(v);
        } else if (v instanceof Map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : ((Map<String, Object>) v).entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                json(e.getKey(), sb);
                sb.append(':');
                json(e.getValue(), sb);
            }
            sb.append('}');
        } else if (v instanceof List) {
            sb.append('[');
            boolean first = true;
            for (Object o : (List<Object>) v) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                json(o, sb);
            }
            sb.append(']');
        } else {
            throw new IllegalArgumentException("not JSON: " + v.getClass());
        }
    }
}
