"""The catalog's fixed vocabularies (事项目录): an item's kind and a material's form, with the
names the hall's papers and screens show for them."""

KINDS = ("immediate", "promised")
FORMS = ("original", "copy", "original_and_copy")
FORM_NAMES = {"original": "原件", "copy": "复印件", "original_and_copy": "原件及复印件"}
KIND_NAMES = {"immediate": "即办件", "promised": "承诺件"}
