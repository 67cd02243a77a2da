"""novalite: OpenStack Compute (Nova) as a small, fast cloud that boots real virtual machines."""

import warnings

# oslo.messaging imports oslo.service, which imports eventlet and warns about it;
# novalite never uses eventlet (threads only), so the warning is noise.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
warnings.filterwarnings("ignore", message="Using the 'executor' argument is deprecated")
