app_name = "communiques"

urlpatterns: list = []
