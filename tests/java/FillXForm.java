// Fill an XForm as a person would, with JavaRosa (the engine of ODK Collect), shipped in
// pyxform's ODK_Validate.jar. Used by tests/test_forms_engines.py.
//
// stdin: plans, one "name<TAB>value" line per field (ODK values: choice names, space-separated
// selections, numbers), each plan ended by a line "---". For each plan the form is stepped
// through from the start; JavaRosa skips what is not relevant; every question it stops at
// whose name the plan holds gets the planned value.
// stdout, per plan: "R<TAB>name" for each question shown, "E<TAB>name<TAB>status" for a
// refused answer, "V<TAB>path<TAB>value" for each filled node of the instance, then "---".
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.*;
import org.javarosa.core.model.Constants;
import org.javarosa.core.model.FormDef;
import org.javarosa.core.model.SelectChoice;
import org.javarosa.core.model.data.*;
import org.javarosa.core.model.data.helper.Selection;
import org.javarosa.core.model.instance.InstanceInitializationFactory;
import org.javarosa.core.model.instance.TreeElement;
import org.javarosa.form.api.FormEntryController;
import org.javarosa.form.api.FormEntryModel;
import org.javarosa.form.api.FormEntryPrompt;
import org.javarosa.xform.util.XFormUtils;

public class FillXForm {
    public static void main(String[] args) throws Exception {
        byte[] xform = java.nio.file.Files.readAllBytes(java.nio.file.Paths.get(args[0]));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
        Map<String, String> plan = new HashMap<>();
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("---")) {
                fill(xform, plan, out);
                out.println("---");
                plan.clear();
            } else if (!line.isEmpty()) {
                int tab = line.indexOf('\t');
                plan.put(line.substring(0, tab), line.substring(tab + 1));
            }
        }
        out.flush();
    }

    static void fill(byte[] xform, Map<String, String> plan, PrintStream out) throws Exception {
        FormDef form = XFormUtils.getFormFromInputStream(new ByteArrayInputStream(xform));
        form.initialize(true, new InstanceInitializationFactory());
        FormEntryController fec = new FormEntryController(new FormEntryModel(form));
        int event;
        while ((event = fec.stepToNextEvent()) != FormEntryController.EVENT_END_OF_FORM) {
            if (event != FormEntryController.EVENT_QUESTION) continue;
            FormEntryPrompt prompt = fec.getModel().getQuestionPrompt();
            String name = prompt.getIndex().getReference().getNameLast();
            out.println("R\t" + name);
            String value = plan.get(name);
            if (value == null) continue;
            IAnswerData data = answer(prompt, value);
            int status = fec.answerQuestion(data, true);
            if (status != FormEntryController.ANSWER_OK) out.println("E\t" + name + "\t" + status);
        }
        dump(form.getMainInstance().getRoot(), "", out);
    }

    static IAnswerData answer(FormEntryPrompt prompt, String value) {
        int control = prompt.getControlType();
        if (control == Constants.CONTROL_SELECT_ONE || control == Constants.CONTROL_SELECT_MULTI) {
            List<Selection> chosen = new ArrayList<>();
            for (String v : value.trim().split("\\s+")) {
                for (SelectChoice c : prompt.getSelectChoices()) {
                    if (c.getValue().equals(v)) chosen.add(new Selection(c));
                }
            }
            if (control == Constants.CONTROL_SELECT_ONE) return chosen.isEmpty() ? null : new SelectOneData(chosen.get(0));
            return new SelectMultiData(chosen);
        }
        switch (prompt.getDataType()) {
            case Constants.DATATYPE_DECIMAL: return new DecimalData(Double.parseDouble(value));
            case Constants.DATATYPE_INTEGER: return new IntegerData((int) Double.parseDouble(value));
            default: return new StringData(value);
        }
    }

    static void dump(TreeElement node, String path, PrintStream out) {
        for (int i = 0; i < node.getNumChildren(); i++) {
            TreeElement child = node.getChildAt(i);
            String p = path.isEmpty() ? child.getName() : path + "-" + child.getName();
            if (child.getNumChildren() > 0) {
                dump(child, p, out);
            } else if (child.getValue() != null && child.isRelevant()) {
                out.println("V\t" + p + "\t" + child.getValue().uncast().getString());
            }
        }
    }
}
