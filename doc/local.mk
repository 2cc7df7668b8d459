# doc: manual pages.
