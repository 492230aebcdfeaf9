from winnow.records import Document


def read_if_page_dump(doc: Document) -> None:
    return None
