import { Field } from "@/components/ui/field";

/** The training spec's `split.folds` (docs/training.md, "How auto picks a family"): empty leaves the default. */
export function FoldsField({ id }: { id: string }) {
  return (
    <Field id={id} label="Validation">
      <select id={id} name="folds" defaultValue="" className="input">
        <option value="">Automatic (5 folds for auto up to 1,000 rows)</option>
        <option value="0">One validation split</option>
        <option value="5">5-fold cross-validation</option>
        <option value="10">10-fold cross-validation</option>
      </select>
    </Field>
  );
}

/** The form's `folds` value as the spec's optional `split.folds`. */
export function foldsFrom(value: FormDataEntryValue | null): { folds?: number } {
  return value ? { folds: Number(value) } : {};
}
