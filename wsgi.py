from netapp import create_app

app = create_app()
