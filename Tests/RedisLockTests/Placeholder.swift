// Lock tests land here.
