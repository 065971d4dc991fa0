// Test peer for scripts/test.d/46-vxp-sdk.sh: an agency on the national axis using the official
// SDK (SDKVXP-2.0.1.jar, com.vpcp.services.*, read from ../shared/corpus/vxp-sdk/lib at run time,
// never copied into the project), unmodified, against `vanthu hub serve`'s /vxp API.
//
//   VxpSdkPeer ENDPOINT SYSTEMID SECRET send FROM FILE      sendEdoc; prints the DocId
//   VxpSdkPeer ENDPOINT SYSTEMID SECRET received edoc|status getReceivedEdocList; prints JSON
//   VxpSdkPeer ENDPOINT SYSTEMID SECRET get DOCID OUT        getEdoc; writes the package to OUT
//   VxpSdkPeer ENDPOINT SYSTEMID SECRET done DOCID           updateStatus done
//   VxpSdkPeer ENDPOINT SYSTEMID SECRET sent                 getSentEdocList; prints JSON
//   VxpSdkPeer ENDPOINT SYSTEMID SECRET agencies             getAgenciesList; prints JSON
//   VxpSdkPeer - - - status-for PACKAGE CODE OUT              builds, with the official
//       StatusXmlBuilder, the status CODE that Văn phòng Chính phủ sends about PACKAGE (read with
//       the official EdXmlParser): ResponseFor = the package's From, Code, DocumentId, date.
//
// Any call the SDK answers with something other than ErrorCode "0" exits 1 with the answer on
// stderr. Run with -Duser.timezone=Asia/Ho_Chi_Minh: the SDK signs a timestamp in the JVM's
// zone without saying which, and the hub reads Vietnamese time.
import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.vnpt.xml.base.Content;
import com.vnpt.xml.base.header.Header;
import com.vnpt.xml.base.header.ResponseFor;
import com.vnpt.xml.base.header.StaffInfo;
import com.vnpt.xml.ed.Ed;
import com.vnpt.xml.ed.header.MessageHeader;
import com.vnpt.xml.ed.parser.EdXmlParser;
import com.vnpt.xml.status.Status;
import com.vnpt.xml.status.builder.StatusXmlBuilder;
import com.vnpt.xml.status.header.MessageStatus;
import com.vpcp.services.AgencyServiceImp;
import com.vpcp.services.KnobstickServiceImp;
import com.vpcp.services.VnptProperties;
import com.vpcp.services.model.Agency;
import com.vpcp.services.model.BasicResult;
import com.vpcp.services.model.GetAgenciesResult;
import com.vpcp.services.model.GetEdocResult;
import com.vpcp.services.model.GetReceivedEdocResult;
import com.vpcp.services.model.GetSendEdocResult;
import com.vpcp.services.model.Knobstick;
import com.vpcp.services.model.SendEdocResult;
import com.vpcp.services.model.StatusResult;

public class VxpSdkPeer {
    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            usage();
        }
        String cmd = args[3];
        if (cmd.equals("status-for") && args.length == 7) {
            statusFor(new File(args[4]), args[5], new File(args[6]));
            return;
        }
        // The SDK prints its signing material on stdout; our answers go to fd 3's stand-in,
        // a saved stdout, so the script reads only them.
        java.io.PrintStream out = System.out;
        System.setOut(System.err);
        VnptProperties props = new VnptProperties(args[0], args[1], args[2],
                Files.createTempDirectory("vxp-sdk").toString(), 2, 2);
        KnobstickServiceImp ks = new KnobstickServiceImp(props);
        switch (cmd) {
            case "send": {
                need(args, 6);
                String header = "{\"from\":\"" + args[4] + "\",\"servicetype\":\"eDoc\",\"messagetype\":\"edoc\"}";
                SendEdocResult r = ks.sendEdoc(header, args[5]);
                check("sendEdoc", r);
                out.println(r.getDocID());
                break;
            }
            case "received": {
                need(args, 5);
                GetReceivedEdocResult r = ks.getReceivedEdocList(
                        "{\"servicetype\":\"eDoc\",\"messagetype\":\"" + args[4] + "\"}");
                check("getReceivedEdocList", r);
                List<Object> list = new ArrayList<>();
                for (Knobstick k : r.getKnobsticks()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("docId", k.getId());
                    m.put("from", k.getFrom());
                    m.put("to", k.getTo());
                    m.put("messageType", k.getMessageType());
                    m.put("status", k.getStatus());
                    list.add(m);
                }
                out.println(EdxmlInterop.json(list));
                break;
            }
            case "get": {
                need(args, 6);
                GetEdocResult r = ks.getEdoc("{\"filePath\":\"" + props.getStorePathDir() + "\",\"docId\":\""
                        + args[4] + "\"}");
                check("getEdoc", r);
                // The SDK hands the package back as a string decoded as UTF-8; edXML is UTF-8 text.
                Files.write(new File(args[5]).toPath(), r.getData().getBytes(StandardCharsets.UTF_8));
                break;
            }
            case "done": {
                need(args, 5);
                BasicResult r = ks.updateStatus("{\"status\":\"done\",\"docId\":\"" + args[4] + "\"}");
                check("updateStatus", r);
                break;
            }
            case "sent": {
                GetSendEdocResult r = ks.getSentEdocList("{\"servicetype\":\"eDoc\",\"messagetype\":\"edoc\"}");
                check("getSentEdocList", r);
                List<Object> list = new ArrayList<>();
                for (StatusResult s : r.getStatusResult()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("senderDocId", s.getSenderDocId());
                    m.put("toCode", s.getToCode());
                    m.put("messageType", s.getMessageType());
                    m.put("receiveStatus", s.getReceiveStatus());
                    list.add(m);
                }
                out.println(EdxmlInterop.json(list));
                break;
            }
            case "agencies": {
                GetAgenciesResult r = new AgencyServiceImp(props).getAgenciesList("{}");
                check("getAgenciesList", r);
                List<Object> list = new ArrayList<>();
                for (Agency a : r.getAgencies()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("code", a.getCode());
                    m.put("name", a.getName());
                    list.add(m);
                }
                out.println(EdxmlInterop.json(list));
                break;
            }
            default:
                usage();
        }
    }

    static void usage() {
        System.err.println("usage: VxpSdkPeer ENDPOINT SYSTEMID SECRET send|received|get|done|sent|agencies … "
                + "| - - - status-for PACKAGE CODE OUT");
        System.exit(2);
    }

    static void need(String[] args, int n) {
        if (args.length != n) {
            usage();
        }
    }

    /** The SDK returns null when it could not read an answer, else ErrorCode "0" on success. */
    static void check(String call, BasicResult r) {
        if (r == null) {
            System.err.println(call + ": the SDK read no answer");
            System.exit(1);
        }
        if (!"0".equals(r.getErrorCode())) {
            System.err.println(call + ": " + r.getStatus() + " " + r.getErrorCode() + " " + r.getErrorDesc());
            System.exit(1);
        }
    }

    static void statusFor(File pkg, String code, File out) throws Exception {
        Ed ed;
        try (InputStream in = new FileInputStream(pkg)) {
            ed = EdXmlParser.getInstance().parse(in);
        }
        MessageHeader h = (MessageHeader) ed.getHeader().getMessageHeader();
        MessageStatus m = new MessageStatus();
        m.setFrom(EdxmlInterop.VPCP);
        m.setResponseFor(new ResponseFor(h.getFrom().getOrganId(),
                h.getCode().getCodeNumber() + "/" + h.getCode().getCodeNotation(),
                h.getPromulgationInfo().getPromulgationDate(), h.getDocumentId()));
        m.setStatusCode(code);
        m.setDescription("Trạng thái " + code + " từ Văn phòng Chính phủ");
        m.setTimestamp(new Date());
        StaffInfo s = new StaffInfo();
        s.setDepartment("Phòng Hành chính - Tổ chức");
        s.setStaff("Nguyễn Thị Ngọc Trâm");
        s.setEmail("vanthu@vpcp.gov.vn");
        s.setMobile("84912000001");
        m.setStaffInfo(s);
        Header header = new Header();
        header.setMessageHeader(m);
        Content c = StatusXmlBuilder.build(new Status(header), out.getParentFile().getPath());
        EdxmlInterop.place(c, out);
    }
}
