wget -q https://repo.anaconda.com/miniconda/Miniconda3-latest-Linux-x86_64.sh -O /opt/miniconda.sh
bash /opt/miniconda.sh -b -p /opt/conda
rm /opt/miniconda.sh
/opt/conda/bin/conda install -y numpy pandas
echo 'export PATH=/opt/conda/bin:$PATH' >> /etc/profile.d/conda.sh
source /etc/profile.d/conda.sh
conda activate base
